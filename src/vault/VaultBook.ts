import * as A from '@automerge/automerge';
import type { DocStore } from '../store/DocStore.js';
import { rootSets } from './vaultDocs.js';
import { checkVaultOp, type SignedVaultOp } from './vaultOps.js';

/** An entry of a vault document refused on its own (malformed, badly signed, of another vault, not under its hash). */
export interface RefusedVaultEntry {
  vault: string;
  key: string;
  reason: string;
}

interface Book {
  heads: string[];
  /** Bumped whenever the operations change, so a caller can cache what it derived from them. */
  version: number;
  ops: Map<string, SignedVaultOp>;
  /** Key → text already checked, so a change seen again is not verified again. */
  checked: Map<string, string>;
}

/** What a vault this host does not hold reads as (shared, never written). */
const NO_OPS: ReadonlyMap<string, SignedVaultOp> = new Map();

/**
 * The verified operations of each vault document this host holds, read from every change in its
 * history (not the current state), each checked on its own; cached per document and brought up
 * to date from the changes after the heads last read. Whether an operation counts is the fold's
 * question (vaultState).
 */
export class VaultBook {
  private readonly books = new Map<string, Book>();
  private readonly refused: RefusedVaultEntry[] = [];

  constructor(private readonly store: DocStore) {}

  async ops(vault: string): Promise<ReadonlyMap<string, SignedVaultOp>> {
    const doc = await this.store.load<unknown>('vaults', vault);
    let book = this.books.get(vault);
    // No book for a vault this host does not hold: a peer offering made-up vaults (each refused)
    // or a caller naming made-up ids would otherwise leave one behind per id for the daemon's life.
    if (!doc) return book?.ops ?? NO_OPS;
    if (!book) this.books.set(vault, (book = { heads: [], version: 0, ops: new Map(), checked: new Map() }));
    const heads = A.getHeads(doc);
    if (sameHeads(heads, book.heads)) return book.ops;
    const read = rootSets(A.getChangesSince(doc, book.heads));
    // A document that holds anything but root strings was written by a forger on this host (the guard refuses it from peers): its strings still count one by one.
    const sets = read.ok ? read.sets : setsAnyway(A.getChangesSince(doc, book.heads));
    for (const { key, value } of sets) await this.admit(vault, book, key, value);
    book.heads = heads;
    book.version += 1;
    return book.ops;
  }

  /** Checks one entry on its own: signed, of this vault, stored under its own id. */
  async check(vault: string, key: string, value: string): Promise<{ ok: true; entry: SignedVaultOp } | { ok: false; reason: string }> {
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
    const check = await checkVaultOp(raw);
    if (!check.ok) return check;
    if (check.entry.op.vault !== vault) return { ok: false, reason: 'belongs to another vault' };
    if (check.id !== key) return { ok: false, reason: 'stored under an id that is not its hash' };
    return { ok: true, entry: check.entry };
  }

  /** Changes whenever `ops` of this vault read something new. */
  version(vault: string): number {
    return this.books.get(vault)?.version ?? -1;
  }

  /** The operations as last read (call `ops` first to bring them up to date). */
  cached(vault: string): ReadonlyMap<string, SignedVaultOp> | undefined {
    return this.books.get(vault)?.ops;
  }

  /** Whether this exact entry was already verified here. */
  knownValid(vault: string, key: string, value: string): boolean {
    const book = this.books.get(vault);
    return book !== undefined && book.checked.get(key) === value && book.ops.has(key);
  }

  refusedEntries(): RefusedVaultEntry[] {
    return [...this.refused];
  }

  private async admit(vault: string, book: Book, key: string, value: string): Promise<void> {
    if (book.checked.get(key) === value) return;
    book.checked.set(key, value);
    const check = await this.check(vault, key, value);
    if (check.ok) book.ops.set(key, check.entry);
    else if (!book.ops.has(key)) this.refused.push({ vault, key, reason: check.reason });
  }
}

function setsAnyway(changes: Uint8Array[]): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const bytes of changes) {
    for (const op of A.decodeChange(bytes).ops) if (op.action === 'set' && op.obj === '_root' && 'key' in op && typeof op.value === 'string') out.push({ key: op.key, value: op.value });
  }
  return out;
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h) => b.includes(h));
}
