import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/search/embedder/Embedder.js';

/** Texts that mean the same thing in different words, each with one about something else. */
const PARAPHRASES: [string, string, string][] = [
  ['Pod stuck in CrashLoopBackOff after deploy', 'container keeps restarting in a crash loop', 'Update the README with install steps'],
  ['the database ran out of disk space', 'postgres volume is full, no space left on device', 'rotate the TLS certificate on the proxy'],
  ['roll back the release, the deploy broke checkout', 'revert to the previous version because the new build failed', 'schedule the weekly team meeting'],
];

const NORM_TOLERANCE = 1e-4;
/** Batching pads texts to a common length; implementations must mask padding, so results match closely. */
const BATCH_TOLERANCE = 1e-4;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The contract every Embedder implementation (and any test double) must pass.
 * `create` builds the embedder once for the whole suite; it is closed afterwards.
 */
export function embedderAcceptance(name: string, create: () => Promise<Embedder>): void {
  describe(`Embedder acceptance: ${name}`, () => {
    let embedder: Embedder;
    beforeAll(async () => {
      embedder = await create();
    });
    afterAll(async () => {
      await embedder.close?.();
    });

    it('has a model id and a positive dimension, and every vector has that dimension', async () => {
      expect(embedder.modelId).toMatch(/\S/);
      expect(embedder.dimension).toBeGreaterThan(0);
      const vectors = await embedder.embed(['disk full on elastic3', 'restart the worker']);
      expect(vectors).toHaveLength(2);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(embedder.dimension);
      }
    });

    it('returns finite, L2-normalised vectors', async () => {
      const vectors = await embedder.embed(PARAPHRASES.flat());
      for (const v of vectors) {
        expect(v.every(Number.isFinite)).toBe(true);
        expect(Math.abs(Math.sqrt(dot(v, v)) - 1)).toBeLessThan(NORM_TOLERANCE);
      }
    });

    it('gives the same vectors in a batch as one at a time, in input order', async () => {
      const texts = ['short', 'a much longer text about kafka consumer group lag on broker 3 after the upgrade', 'HTTP 502 from proxy-eu'];
      const batch = await embedder.embed(texts);
      for (const [i, text] of texts.entries()) {
        const [single] = await embedder.embed([text]);
        expect(maxAbsDiff(batch[i]!, single!)).toBeLessThan(BATCH_TOLERANCE);
      }
    });

    it('is deterministic', async () => {
      const [a] = await embedder.embed(['OOMKilled on worker-7']);
      const [b] = await embedder.embed(['OOMKilled on worker-7']);
      expect(Array.from(a!)).toEqual(Array.from(b!));
    });

    it('scores a paraphrase above an unrelated text', async () => {
      for (const [query, paraphrase, unrelated] of PARAPHRASES) {
        const [q, p, u] = await embedder.embed([query, paraphrase, unrelated]);
        expect(dot(q!, p!), `${query} / ${paraphrase} vs ${unrelated}`).toBeGreaterThan(dot(q!, u!));
      }
    });

    it('handles empty input: no texts, an empty string, whitespace', async () => {
      expect(await embedder.embed([])).toEqual([]);
      const vectors = await embedder.embed(['', '   ', 'x']);
      expect(vectors).toHaveLength(3);
      for (const v of vectors) {
        expect(v.length).toBe(embedder.dimension);
        expect(v.every(Number.isFinite)).toBe(true);
        expect(Math.abs(Math.sqrt(dot(v, v)) - 1)).toBeLessThan(NORM_TOLERANCE);
      }
    });

    it('embeds long input (beyond the model window) without failing', async () => {
      const long = 'Replication lag on pg-replica-3 grew after the vacuum. '.repeat(800);
      const [v] = await embedder.embed([long, 'short']);
      expect(v!.length).toBe(embedder.dimension);
      expect(v!.every(Number.isFinite)).toBe(true);
    });

    it('embeds more texts than one batch, in order', async () => {
      const texts = Array.from({ length: 150 }, (_, i) => `ticket OPS-${i}: restart worker-${i % 7}`);
      const all = await embedder.embed(texts);
      expect(all).toHaveLength(texts.length);
      const [last] = await embedder.embed([texts[texts.length - 1]!]);
      expect(maxAbsDiff(all[all.length - 1]!, last!)).toBeLessThan(BATCH_TOLERANCE);
    });

    it('rejects when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(embedder.embed(['x'], { signal: controller.signal })).rejects.toThrow();
    });
  });
}
