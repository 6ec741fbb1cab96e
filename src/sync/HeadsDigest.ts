import type { Collection } from '../types.js';
import { docKey } from '../store/keys.js';
import type { ShareScope } from '../store/types.js';
import { DIGEST_LEAVES, DIGEST_TOPS } from './constants.js';

const LEAVES_PER_TOP = DIGEST_LEAVES / DIGEST_TOPS;
/** Packed entry value: leaf × 2^33 + hash × 2 + (team ? 1 : 0), exact in a double (< 2^45). */
const LEAF_UNIT = 2 ** 33;

/**
 * A summary of every shareable document's heads, kept in memory and updated at every commit, so
 * two hosts find out in one small exchange whether they hold the same versions, and if not, which
 * few documents differ (issue 18: the cursors are a fast path; this is what makes a skipped
 * change heal within minutes instead of at the daily sweep).
 *
 * Each document (collection/id, its heads or "erased") hashes to 32 bits; a leaf is the XOR of
 * the hashes of the documents whose id falls in it, a top the XOR of its leaves. XOR lets a write
 * replace its document's old hash in O(1). Private documents are left out (they never leave the
 * host), team documents are summed apart (only hosts sharing a team compare them).
 */
export class HeadsDigest {
  private readonly entries = new Map<string, number>();
  private readonly sums = { mesh: new Uint32Array(DIGEST_LEAVES), team: new Uint32Array(DIGEST_LEAVES) };

  get size(): number {
    return this.entries.size;
  }

  /** Records a document's newest version (heads null once erased). */
  record(collection: Collection, id: string, scope: ShareScope, heads: readonly string[] | null): void {
    const key = docKey(collection, id);
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      const leaf = Math.floor(old / LEAF_UNIT);
      const team = old % 2 === 1;
      this.sums[team ? 'team' : 'mesh'][leaf]! ^= Math.floor((old % LEAF_UNIT) / 2);
    }
    if (scope === 'private') return;
    const leaf = leafOf(key);
    const hash = versionHash(key, heads);
    const team = scope === 'team';
    this.sums[team ? 'team' : 'mesh'][leaf]! ^= hash;
    this.entries.set(key, leaf * LEAF_UNIT + hash * 2 + (team ? 1 : 0));
  }

  /** The DIGEST_TOPS top sums. `team`: include team documents (both hosts share a team). */
  tops(team: boolean): Uint32Array {
    const out = new Uint32Array(DIGEST_TOPS);
    for (let leaf = 0; leaf < DIGEST_LEAVES; leaf++) out[Math.floor(leaf / LEAVES_PER_TOP)]! ^= this.leafSum(leaf, team);
    return out;
  }

  /** The leaf sums under each of `tops`, top after top. */
  leaves(tops: readonly number[], team: boolean): Uint32Array {
    const out = new Uint32Array(tops.length * LEAVES_PER_TOP);
    tops.forEach((top, i) => {
      for (let j = 0; j < LEAVES_PER_TOP; j++) out[i * LEAVES_PER_TOP + j] = this.leafSum(top * LEAVES_PER_TOP + j, team);
    });
    return out;
  }

  /** Keys (`collection/id`) of the documents in these leaves. */
  keysIn(leaves: ReadonlySet<number>, team: boolean): string[] {
    const out: string[] = [];
    for (const [key, packed] of this.entries) {
      if (!team && packed % 2 === 1) continue;
      if (leaves.has(Math.floor(packed / LEAF_UNIT))) out.push(key);
    }
    return out;
  }

  private leafSum(leaf: number, team: boolean): number {
    return team ? (this.sums.mesh[leaf]! ^ this.sums.team[leaf]!) >>> 0 : this.sums.mesh[leaf]!;
  }
}

/** Indexes of the entries of `a` and `b` (same length) that differ. */
export function differing(a: Uint32Array, b: Uint32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

export const LEAVES_UNDER_TOP = LEAVES_PER_TOP;

export function leafOf(key: string): number {
  return fmix32(fnv1a(key, 0x811c9dc5)) % DIGEST_LEAVES;
}

/** A 32-bit hash of one version of one document: equal on two hosts exactly when the heads are. */
function versionHash(key: string, heads: readonly string[] | null): number {
  let h = fnv1a(key, 0x811c9dc5);
  h = fnv1a(heads === null ? '\u0000erased' : `\u0000${[...heads].sort().join(',')}`, h);
  return fmix32(h);
}

function fnv1a(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finaliser: spreads FNV's low-entropy bits over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
