import * as A from '@automerge/automerge';
import type { DocStore } from '../store/DocStore.js';
import type { GuardVerdict, IncomingDocument, IncomingGuard } from '../sync/IncomingGuard.js';
import { knownHeads } from '../sync/knownHeads.js';
import { verifyJson } from '../trust/signing.js';
import { SignedAuditEntrySchema } from './auditChain.js';
import { VAULT_AUDIT_DOMAIN } from './constants.js';
import { foldVaultRights } from './foldVaultRights.js';
import type { VaultBook } from './VaultBook.js';
import { auditDocId, auditKey, entryText, isAuditDoc, isVaultDoc, parseAuditDocId, rootSets, type RootSet } from './vaultDocs.js';
import type { SignedVaultOp } from './vaultOps.js';

export interface VaultGuardDeps {
  store: DocStore;
  book: VaultBook;
  /** When a host was removed from the mesh (the membership fold), if it was. */
  removedAt: (peer: string) => number | undefined;
}

/**
 * Vault documents and audit chains from peers, checked before they are stored. A vault
 * document only ever gains signed operations, each well formed, of this vault, under its own
 * hash, and authorised *in its own past* (the Automerge changes its author had when it wrote
 * it): a non-member, a read-only member writing, a revoked or expired member, a non-admin
 * granting, revoking or changing a role is refused, the whole document version from that peer,
 * and recorded (RejectionLog, `mesh status`). An operation that was valid in its own past but
 * loses to one it had not seen (a revocation wins over a concurrent grant or write) is stored
 * and set aside by every replica's fold, reported in the vault's own rejections: refusing it
 * here would refuse, forever, every later change that has it in its history.
 *
 * An audit chain document gains only entries signed by the host it is named after, each under
 * its position, and never a rewrite of an entry already held. Vault documents are never erased.
 */
export class VaultGuard implements IncomingGuard {
  readonly name = 'vault';

  constructor(private readonly deps: VaultGuardDeps) {}

  async check({ collection, id, payload }: IncomingDocument): Promise<GuardVerdict> {
    if (collection !== 'vaults') return { ok: true };
    if (payload.tomb) return { ok: false, reason: 'vault documents are never erased by replication' };
    if (!isVaultDoc(id) && !isAuditDoc(id)) return { ok: false, reason: `${id} is neither a vault nor an audit chain` };
    let local: A.Doc<unknown> | undefined;
    let fresh: Uint8Array[];
    try {
      local = await this.deps.store.load<unknown>('vaults', id);
      fresh = [...(payload.changes ?? []), ...(payload.full ? newIn(payload.full, local) : [])];
    } catch {
      return { ok: false, reason: 'vault document does not decode' };
    }
    const read = rootSets(fresh);
    if (!read.ok) return { ok: false, reason: read.reason };
    return isAuditDoc(id) ? this.checkAudit(id, read.sets, local) : this.checkVault(id, read.sets, local, payload.changes ?? [], payload.full);
  }

  private async checkAudit(id: string, sets: RootSet[], local: A.Doc<unknown> | undefined): Promise<GuardVerdict> {
    const where = parseAuditDocId(id);
    if (!where) return { ok: false, reason: `${id} is not an audit document name` };
    const { host } = where;
    const held = (local ?? {}) as Record<string, unknown>;
    for (const { key, value } of sets) {
      const existing = entryText(held[key]);
      if (existing !== undefined && existing !== value) return { ok: false, reason: `audit entry ${key} of ${host.slice(-8)} rewritten` };
      if (existing !== undefined) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(value);
      } catch {
        return { ok: false, reason: `audit entry ${key} is not JSON` };
      }
      const parsed = SignedAuditEntrySchema.safeParse(raw);
      if (!parsed.success) return { ok: false, reason: `audit entry ${key} is malformed` };
      const { entry, sig } = parsed.data;
      if (entry.host !== host) return { ok: false, reason: `audit entry ${key} belongs to another host's chain` };
      if (auditKey(entry.seq) !== key || auditDocId(host, entry.seq) !== id) return { ok: false, reason: `audit entry ${key} is stored under another position` };
      if (!(await verifyJson(host, VAULT_AUDIT_DOMAIN, entry, sig))) return { ok: false, reason: `audit entry ${key}: bad signature for ${host.slice(-8)}` };
    }
    return { ok: true };
  }

  private async checkVault(id: string, sets: RootSet[], local: A.Doc<unknown> | undefined, changes: Uint8Array[], full: Uint8Array | undefined): Promise<GuardVerdict> {
    const { book } = this.deps;
    const known = await book.ops(id);
    const fresh = new Map<string, { entry: SignedVaultOp; change: string }>();
    for (const { key, value, change } of sets) {
      if (book.knownValid(id, key, value)) continue;
      const check = await book.check(id, key, value);
      if (!check.ok) return { ok: false, reason: `entry ${key.slice(0, 12)}: ${check.reason}` };
      fresh.set(key, { entry: check.entry, change });
    }
    if (fresh.size === 0) return { ok: true };
    const all = new Map([...known, ...[...fresh].map(([k, f]) => [k, f.entry] as const)]);
    const options = { removedAt: this.deps.removedAt };
    const rejected = new Map(foldVaultRights(all, options).rejected.map((r) => [r.id, r]));
    const doubtful = [...fresh].filter(([key]) => rejected.has(key));
    if (doubtful.length === 0) return { ok: true };
    // Judge each refused operation in its own past: refused there too, it was never authorised.
    const graph = changeGraph(local, changes, full);
    for (const [key, { entry, change }] of doubtful) {
      const past = new Map<string, SignedVaultOp>();
      for (const k of keysInPast(graph, change)) {
        const op = all.get(k);
        if (op) past.set(k, op);
      }
      past.set(key, entry);
      const refusal = foldVaultRights(past, options).rejected.find((r) => r.id === key);
      if (refusal) return { ok: false, reason: `${entry.op.kind} ${key.slice(0, 12)} by ${entry.op.by.slice(-8)}: ${refusal.reason}` };
    }
    return { ok: true };
  }
}

/** The changes of a whole document this host lacks. */
function newIn(full: Uint8Array, local: A.Doc<unknown> | undefined): Uint8Array[] {
  const doc = A.load<unknown>(full);
  return A.getChangesSince(doc, local ? knownHeads(doc, A.getHeads(local)) : []);
}

interface GraphNode {
  deps: string[];
  keys: string[];
}

/** Every change of the document as it would be after this payload: its dependencies and the keys it set. */
function changeGraph(local: A.Doc<unknown> | undefined, changes: Uint8Array[], full: Uint8Array | undefined): Map<string, GraphNode> {
  let doc = local ? A.clone(local) : A.init<unknown>();
  if (changes.length) [doc] = A.applyChanges(doc, changes);
  if (full) doc = A.merge(doc, A.load<unknown>(full));
  const graph = new Map<string, GraphNode>();
  for (const bytes of A.getAllChanges(doc)) {
    const c = A.decodeChange(bytes);
    graph.set(c.hash ?? '', { deps: c.deps, keys: c.ops.flatMap((op) => (op.action === 'set' && op.obj === '_root' && 'key' in op && typeof op.key === 'string' ? [op.key] : [])) });
  }
  return graph;
}

/** Keys set by the change's ancestors and by itself (its author's past when it wrote). */
function keysInPast(graph: Map<string, GraphNode>, change: string): string[] {
  const seen = new Set<string>();
  const keys: string[] = [];
  const stack = [change];
  while (stack.length > 0) {
    const hash = stack.pop()!;
    if (seen.has(hash)) continue;
    seen.add(hash);
    const node = graph.get(hash);
    if (!node) continue;
    keys.push(...node.keys);
    stack.push(...node.deps);
  }
  return keys;
}
