import { MAX_CONTENT_CHARS, MAX_METADATA_DEPTH, MAX_TAG_CHARS, MAX_TAGS } from '../../src/constants.js';

/**
 * Legal but unusual write inputs for property tests, drawn from a seeded `rand`: large content
 * (multi-byte characters included), deep metadata right up to the bound, many long tags. They
 * must replicate like any other write (issue #10: one odd memory stalled replication).
 */
const WORDS = ['kafka', 'broker', 'lag', 'pg', 'vacuum', 'nginx', 'reload', 'é', 'naïve', '🐝', '日本', 'deploy', 'rollback'] as const;

export function bigContent(rand: () => number, marker: string): string {
  const target = 8_000 + Math.floor(rand() * (MAX_CONTENT_CHARS - 8_000 - marker.length - 64));
  const words: string[] = [marker];
  let length = marker.length;
  while (length < target) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    words.push(w);
    length += w.length + 1;
  }
  return words.join(' ').slice(0, MAX_CONTENT_CHARS - 2);
}

/** Metadata nested exactly `depth` levels (objects and arrays mixed), within every metadata bound. */
export function deepMetadata(rand: () => number, depth = MAX_METADATA_DEPTH): Record<string, unknown> {
  let inner: unknown = { leaf: Math.floor(rand() * 1_000), s: 'deep ✓' };
  for (let level = depth - 1; level > 1; level--) inner = rand() < 0.3 ? [inner, level] : { [`l${level}`]: inner, n: level };
  return { deep: inner, wide: Object.fromEntries(Array.from({ length: 20 + Math.floor(rand() * 40) }, (_, i) => [`k${i}`, i % 3 === 0 ? null : `v${i}`])) };
}

export function manyTags(rand: () => number): string[] {
  const count = MAX_TAGS - Math.floor(rand() * 4);
  return Array.from({ length: count }, (_, i) => `t${i}-${'x'.repeat(Math.floor(rand() * (MAX_TAG_CHARS - 8)))}`);
}
