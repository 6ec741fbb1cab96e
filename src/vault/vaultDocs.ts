import * as A from '@automerge/automerge';
import { z } from 'zod';
import { AUDIT_DOC_PREFIX, AUDIT_SHARD_ENTRIES, VAULT_DOC_PREFIX } from './constants.js';

/**
 * The shape of the documents of the `vaults` collection. A vault document (`v-…`) and a host's
 * audit chain (`audit-<peer id>`) are both maps of immutable signed strings set at the root:
 * a vault operation under its id, an audit entry under its zero-padded position. Nothing is
 * ever deleted or overwritten; what counts is read from every change in the history, so an
 * entry deleted or rewritten in one store still counts (and the rewrite is reported).
 */
/**
 * The view stored beside a vault-collection document: only a count. Nothing reads entries from a
 * view (they are read from the document's history), and a copy of every entry would double what
 * each write stores (a vault of 1,000 secrets is ~450 KB).
 */
export const VaultDocViewSchema = z.object({ entries: z.number().int().nonnegative() }).strict();

export function vaultStoredView(doc: A.Doc<unknown>): z.infer<typeof VaultDocViewSchema> {
  return { entries: Object.keys(doc).length };
}

/** The entries (key → text) a document holds now. */
export function vaultDocView(doc: A.Doc<unknown>): Record<string, string> {
  return JSON.parse(JSON.stringify(doc)) as Record<string, string>;
}

export const isVaultDoc = (id: string): boolean => id.startsWith(VAULT_DOC_PREFIX);
export const isAuditDoc = (id: string): boolean => id.startsWith(AUDIT_DOC_PREFIX);
/** The audit document of `peer`'s chain that holds position `seq` (a chain is split in documents of AUDIT_SHARD_ENTRIES). */
export const auditDocId = (peer: string, seq: number): string => `${AUDIT_DOC_PREFIX}${peer}-${String(Math.floor(seq / AUDIT_SHARD_ENTRIES)).padStart(6, '0')}`;
export function parseAuditDocId(id: string): { host: string; shard: number } | undefined {
  const m = /^audit-(12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60})-(\d{6})$/.exec(id);
  return m ? { host: m[1]!, shard: Number(m[2]) } : undefined;
}

/** Audit entries are keyed by position, zero-padded so the map's key order is the chain's order. */
export const auditKey = (seq: number): string => String(seq).padStart(10, '0');

export interface RootSet {
  key: string;
  value: string;
  /** The change that set it. */
  change: string;
}

/**
 * Every root string set by these changes, or the reason they are not only that (a delete, a
 * nested object, a non-string value): vault documents only ever gain signed strings.
 */
export function rootSets(changes: readonly Uint8Array[]): { ok: true; sets: RootSet[] } | { ok: false; reason: string } {
  const sets: RootSet[] = [];
  for (const bytes of changes) {
    let decoded: A.DecodedChange;
    try {
      decoded = A.decodeChange(bytes);
    } catch {
      return { ok: false, reason: 'a change does not decode' };
    }
    for (const op of decoded.ops) {
      if (op.action !== 'set' || op.obj !== '_root' || !('key' in op) || typeof op.key !== 'string' || typeof op.value !== 'string') {
        return { ok: false, reason: `vault entries are only ever added, as signed strings (found ${op.action})` };
      }
      sets.push({ key: op.key, value: op.value, change: decoded.hash ?? '' });
    }
  }
  return { ok: true, sets };
}

/** Writes entries (key → text) into a vault-collection document as immutable strings. */
export function withEntries(current: A.Doc<Record<string, unknown>> | undefined, actor: string | undefined, entries: readonly [string, string][], message: string): A.Doc<Record<string, unknown>> {
  const base = current ?? A.init<Record<string, unknown>>(actor ? { actor } : undefined);
  return A.change(base, { message: JSON.stringify({ action: message }), time: Math.floor(Date.now() / 1000) }, (d) => {
    for (const [key, text] of entries) d[key] = new A.ImmutableString(text);
  });
}

/** The text of an entry as a loaded document holds it (an ImmutableString), or undefined. */
export function entryText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return value instanceof A.ImmutableString ? value.val : undefined;
}
