import type { DocStore } from '../store/DocStore.js';
import type { Signer } from '../trust/signing.js';
import { OneAtATime } from './OneAtATime.js';
import { AUDIT_DOC_PREFIX } from './constants.js';
import { appendAudit, SignedAuditEntrySchema, verifyAuditChain, type AuditBody, type AuditEntry, type AuditProblem, type SignedAuditEntry } from './auditChain.js';
import { auditDocId, auditKey, entryText, parseAuditDocId, vaultStoredView, withEntries } from './vaultDocs.js';

/** Local (never replicated) record of the highest position accepted per host's chain: a chain ending below it was truncated. */
const HEADS_KEY = 'vault-audit-heads';

/**
 * The vault audit: this host appends to its own chain (`audit-<peer id>` in the `vaults`
 * collection, replicated like any document); every replica reads and verifies every host's
 * chain. Appends are serialised so two calls never take the same position.
 */
export class AuditLog {
  private readonly appends = new OneAtATime();
  /** This host's last entry, read once from the store, then kept: an append never re-reads the chain. */
  private last: SignedAuditEntry | null | undefined;

  constructor(
    private readonly store: DocStore,
    private readonly signer: Signer,
  ) {}

  append(body: AuditBody): Promise<SignedAuditEntry> {
    return this.appends.run(async () => {
      if (this.last === undefined) {
        const stored = (await this.chains()).get(this.signer.peerId) ?? [];
        this.last = stored.map((raw) => SignedAuditEntrySchema.safeParse(raw)).flatMap((p) => (p.success && p.data.entry.host === this.signer.peerId ? [p.data] : [])).at(-1) ?? null;
      }
      const signed = await appendAudit(this.signer, this.last, body);
      const id = auditDocId(this.signer.peerId, signed.entry.seq);
      await this.store.mutate<Record<string, unknown>>('vaults', id, (current) => {
        const doc = withEntries(current, this.store.actor, [[auditKey(signed.entry.seq), JSON.stringify(signed)]], 'vault-audit');
        return { doc, view: vaultStoredView(doc), scope: 'mesh' };
      });
      this.last = signed;
      return signed;
    });
  }

  /** Every host's chain as stored here: its documents in order, each in position-key order (storage order). */
  async chains(): Promise<Map<string, unknown[]>> {
    const out = new Map<string, unknown[]>();
    const ids = (await this.store.idsWithPrefix('vaults', AUDIT_DOC_PREFIX, 1_000_000)).sort();
    for (const id of ids) {
      const where = parseAuditDocId(id);
      if (!where) continue;
      const chain = out.get(where.host) ?? [];
      chain.push(...(await this.stored(id)));
      out.set(where.host, chain);
    }
    return out;
  }

  /** Every chain verified; heads accepted now are remembered so a later truncation shows. */
  async verify(): Promise<{ hosts: number; entries: number; problems: AuditProblem[] }> {
    const heads = (await this.store.getLocal<Record<string, number>>(HEADS_KEY)) ?? {};
    const problems: AuditProblem[] = [];
    let entries = 0;
    const chains = await this.chains();
    for (const [host, stored] of chains) {
      entries += stored.length;
      const found = await verifyAuditChain(host, stored, heads[host]);
      problems.push(...found);
      if (found.length === 0) heads[host] = Math.max(heads[host] ?? -1, stored.length - 1);
    }
    // A chain this host held before and no longer holds at all was truncated to nothing.
    for (const [host, head] of Object.entries(heads)) if (!chains.has(host) && head >= 0) problems.push({ host, position: 0, problem: 'truncated' });
    await this.store.putLocal(HEADS_KEY, heads);
    return { hosts: chains.size, entries, problems };
  }

  /** Entries of every chain that parse, newest first, filtered. */
  async entries(filter: { vault?: string; host?: string; limit: number }): Promise<AuditEntry[]> {
    const all: AuditEntry[] = [];
    for (const [host, stored] of await this.chains()) {
      if (filter.host && host !== filter.host) continue;
      for (const raw of stored) {
        const p = SignedAuditEntrySchema.safeParse(raw);
        if (p.success && (!filter.vault || p.data.entry.vault === filter.vault)) all.push(p.data.entry);
      }
    }
    return all.sort((a, b) => b.at - a.at || a.host.localeCompare(b.host) || b.seq - a.seq).slice(0, filter.limit);
  }

  private async stored(id: string): Promise<unknown[]> {
    const view = (await this.store.load<Record<string, unknown>>('vaults', id)) ?? {};
    return Object.keys(view)
      .sort()
      .map((k) => {
        try {
          return JSON.parse(entryText(view[k]) ?? '') as unknown;
        } catch {
          return undefined;
        }
      });
  }
}
