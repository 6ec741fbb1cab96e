import { foldVaultRights, type Access, type FoldOptions, type RejectedVaultOp } from './foldVaultRights.js';
import type { SealedEntry, SignedVaultOp, VaultType } from './vaultOps.js';
import type { Wrap } from './generations.js';

/** One generation of a vault as its accepted operations make it: its number and who its key is wrapped for. */
export interface GenerationState {
  id: string;
  gen: number;
  at: number;
  /** Member → its wrap of this generation's key (from the generation itself, or from a later grant). */
  wraps: Map<string, Wrap>;
}

export interface EntryState {
  name: string;
  /** The generation its value is sealed under. */
  g: string;
  entry: SealedEntry;
  /** The operation that wrote it (a write, or the generation that re-sealed it), its author and time. */
  op: string;
  by: string;
  at: number;
}

/** A vault as every replica reads it: the fold of its verified operations (rights first, then content). */
export interface VaultState {
  id: string;
  name: string;
  type: VaultType;
  creator: string;
  createdAt: number;
  members: Map<string, Access>;
  generations: Map<string, GenerationState>;
  /** The generation new values are sealed under: the highest number, then the latest (at, id). */
  current: GenerationState | undefined;
  entries: Map<string, EntryState>;
  rejected: RejectedVaultOp[];
  /** Each author's latest operation (its chain head), for `prev` and a revocation's `head`. */
  heads: Map<string, string>;
  /** The largest `at` seen: a signer dates its next operation after it. */
  maxAt: number;
  operations: number;
}

/** undefined when no valid `create` is among the operations (a vault nobody can claim yet). */
export function vaultState(id: string, ops: ReadonlyMap<string, SignedVaultOp>, options: FoldOptions = {}): VaultState | undefined {
  const rights = foldVaultRights(ops, options);
  const create = rights.accepted.find(([, e]) => e.op.kind === 'create')?.[1].op;
  if (!create || create.kind !== 'create') return undefined;
  const generations = new Map<string, GenerationState>();
  const latest = new Map<string, { at: number; id: string; g: string | null; entry: SealedEntry | null; by: string }>();
  const later = (a: { at: number; id: string }, b: { at: number; id: string } | undefined) => !b || a.at > b.at || (a.at === b.at && a.id > b.id);
  for (const [opId, { op }] of rights.accepted) {
    if (op.kind === 'generation') {
      generations.set(opId, { id: opId, gen: op.gen, at: op.at, wraps: new Map(Object.entries(op.wraps)) });
      for (const [name, entry] of Object.entries(op.values)) {
        const candidate = { at: op.at, id: opId, g: opId, entry, by: op.by };
        if (later(candidate, latest.get(name))) latest.set(name, candidate);
      }
    } else if (op.kind === 'grant') {
      for (const [g, wrap] of Object.entries(op.wraps)) generations.get(g)?.wraps.set(op.peer, wrap);
    } else if (op.kind === 'write') {
      const candidate = { at: op.at, id: opId, g: op.g, entry: op.entry, by: op.by };
      if (later(candidate, latest.get(op.name))) latest.set(op.name, candidate);
    }
  }
  let current: GenerationState | undefined;
  for (const g of generations.values()) if (!current || g.gen > current.gen || (g.gen === current.gen && later(g, current))) current = g;
  const entries = new Map<string, EntryState>();
  for (const [name, w] of [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (w.entry && w.g) entries.set(name, { name, g: w.g, entry: w.entry, op: w.id, by: w.by, at: w.at });
  }
  const heads = new Map<string, string>();
  const headAt = new Map<string, { at: number; id: string }>();
  let maxAt = 0;
  for (const [opId, { op }] of ops) {
    maxAt = Math.max(maxAt, op.at);
    const candidate = { at: op.at, id: opId };
    if (later(candidate, headAt.get(op.by))) {
      headAt.set(op.by, candidate);
      heads.set(op.by, opId);
    }
  }
  return {
    id,
    name: create.name,
    type: create.type,
    creator: create.by,
    createdAt: create.at,
    members: rights.members,
    generations,
    current,
    entries,
    rejected: rights.rejected,
    heads,
    maxAt,
    operations: ops.size,
  };
}
