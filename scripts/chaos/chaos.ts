/**
 * Chaos runner (issue 16): N real daemons as separate hosts, a seeded schedule of writes, edits,
 * soft and hard deletes, board claims and moves, link cuts (both ways and one way) and heals while
 * both ends run, slow lossy links, SIGKILL / stop and restart, and a clock skewed by minutes on one
 * host; then the heal and the end check. Network namespaces with one veth link per pair when run as
 * root on Linux, loopback processes otherwise (no link faults there). Build first (`npm run build`).
 *
 *   node --import tsx scripts/chaos/chaos.ts [--seed S] [--hosts 4] [--steps 60] [--runs 1]
 *        [--network auto|netns|loopback] [--settle-s 120] [--quiet]
 *
 * A failing run prints its replay command and exits 1.
 */
import '../../src/polyfills.js';
import { parseArgs } from 'node:util';
import { runChaos } from './runChaos.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    hosts: { type: 'string', default: '4' },
    steps: { type: 'string', default: '60' },
    runs: { type: 'string', default: '1' },
    network: { type: 'string', default: 'auto' },
    'settle-s': { type: 'string', default: '120' },
    quiet: { type: 'boolean', default: false },
  },
});
const network = values.network as 'auto' | 'netns' | 'loopback';
if (!['auto', 'netns', 'loopback'].includes(network)) throw new Error(`--network: auto, netns or loopback, not ${network}`);

let failed = 0;
const runs = Number(values.runs);
for (let run = 0; run < runs; run++) {
  const seed = values.seed !== undefined && run === 0 ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const result = await runChaos({
    seed,
    hosts: Number(values.hosts),
    steps: Number(values.steps),
    network,
    settleMs: Number(values['settle-s']) * 1000,
    onLine: values.quiet ? undefined : (line) => process.stderr.write(`[chaos] ${line}\n`),
  });
  const counts = Object.entries(result.counts)
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stdout.write(`chaos run ${run + 1}/${runs} seed ${seed} network ${result.network}: ${result.ok ? 'PASS' : 'FAIL'} (operations ${Math.round(result.opsMs / 1000)} s, convergence ${Math.round(result.settleMs / 1000)} s)\n  ${counts}\n`);
  if (!result.ok) {
    failed++;
    process.stdout.write(`${result.failures.join('\n')}\n--- schedule as run:\n${result.log.join('\n')}\nreplay: ${result.replay}\n`);
  }
}
process.exit(failed ? 1 : 0);
