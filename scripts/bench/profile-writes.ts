/** Writes N synthetic memories through the real service and reports phase times; used to find hot spots. */
import '../../src/polyfills.js';
import { mkdtempSync } from 'node:fs';
import { initHome } from '../../src/daemon/initHome.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { mulberry32, syntheticMemory } from './corpus.js';

const n = Number(process.argv[2] ?? 5000);
const home = process.argv[3] ?? mkdtempSync('/tmp/prof-');
await initHome(home, { name: 'bench' });
const stack = await openStack(home);
const rand = mulberry32(7);
const items = Array.from({ length: n }, (_, i) => syntheticMemory(rand, i));
const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  while (next < items.length) await stack.memories.store(items[next++]!, ACTOR);
}));
console.log(`${n} writes: ${(performance.now() - t0).toFixed(0)} ms, ${(n / ((performance.now() - t0) / 1000)).toFixed(0)}/s; home ${home}`);
const c0 = performance.now();
await stack.close();
console.log(`close (snapshot): ${(performance.now() - c0).toFixed(0)} ms`);
