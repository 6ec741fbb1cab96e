import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VectorIndexFiles } from '../../src/search/vector/VectorIndex.js';
import { mulberry32 } from './prng.js';
import { tmpHome } from './tmpHome.js';

const SEED = Number(process.env['TEST_SEED'] ?? 20261206);

function unit(...xs: number[]): Float32Array {
  const n = Math.hypot(...xs) || 1;
  return Float32Array.from(xs.map((x) => x / n));
}

function randomUnit(rand: () => number, dim: number): Float32Array {
  return unit(...Array.from({ length: dim }, () => rand() * 2 - 1));
}

/**
 * The contract every VectorIndex implementation (and any test double) must pass, given how to
 * keep one in a directory: add, search by cosine with a filter, remove, replace, dimension checks,
 * and a save that a later open loads with the same answers. MemoryVectors relies on nothing else.
 */
export function vectorIndexAcceptance(name: string, filesIn: (dir: string, dimension: number) => VectorIndexFiles): void {
  describe(`VectorIndex acceptance: ${name}`, () => {
    let home: ReturnType<typeof tmpHome>;
    beforeEach(() => {
      home = tmpHome('vi-');
    });
    afterEach(() => home.cleanup());

    it('adds, searches best first with cosine scores, filters during the search, removes and replaces', () => {
      const index = filesIn(home.dir, 3).create();
      expect(index.dimension).toBe(3);
      expect(index.search(unit(1, 0, 0), 5)).toEqual([]);
      index.add('x', unit(1, 0, 0));
      index.add('y', unit(0, 1, 0));
      index.add('z', unit(0, 0, 1));
      expect(index.size).toBe(3);
      const hits = index.search(unit(1, 0.2, 0), 2);
      expect(hits.map((h) => h.key)).toEqual(['x', 'y']);
      expect(hits[0]!.score).toBeCloseTo(1 / Math.sqrt(1.04), 5);
      expect(index.search(unit(1, 0.2, 0), 10)).toHaveLength(3);
      // The filter is applied during the search: rejected keys do not use up the k slots.
      expect(index.search(unit(1, 0.2, 0), 2, (k) => k !== 'x').map((h) => h.key)).toEqual(['y', 'z']);

      index.remove('x');
      index.remove('never-added');
      expect(index.has('x')).toBe(false);
      expect(index.size).toBe(2);
      expect(index.search(unit(1, 0, 0), 3).map((h) => h.key)).not.toContain('x');

      index.add('y', unit(1, 0, 0));
      expect(index.size).toBe(2);
      expect(index.search(unit(1, 0, 0), 1)[0]).toMatchObject({ key: 'y' });
      expect(index.search(unit(1, 0, 0), 1)[0]!.score).toBeCloseTo(1, 5);
      expect(() => index.add('bad', Float32Array.of(1, 0))).toThrow();
    });

    it('reports a missing index as such, with a usable empty one', async () => {
      const opened = await filesIn(home.dir, 8).open();
      expect(opened.state).toBe('missing');
      expect(opened.index.size).toBe(0);
      opened.index.add('a', unit(1, 0, 0, 0, 0, 0, 0, 0));
      expect(opened.index.has('a')).toBe(true);
    });

    it('saves, and a later open loads the same vectors with the same answers, removals included', async () => {
      const rand = mulberry32(SEED);
      const files = filesIn(home.dir, 16);
      const index = files.create();
      const vectors = Array.from({ length: 200 }, () => randomUnit(rand, 16));
      vectors.forEach((v, i) => index.add(`k${i}`, v));
      for (let i = 0; i < 20; i++) index.remove(`k${i}`);
      await index.save();
      const queries = vectors.slice(0, 10);
      const before = queries.map((q) => index.search(q, 5));

      const opened = await files.open();
      expect(opened.state, `seed ${SEED}`).toBe('loaded');
      expect(opened.index.size).toBe(180);
      expect(opened.index.has('k3')).toBe(false);
      expect(opened.index.has('k30')).toBe(true);
      expect(queries.map((q) => opened.index.search(q, 5)), `seed ${SEED}`).toEqual(before);
    });
  });
}
