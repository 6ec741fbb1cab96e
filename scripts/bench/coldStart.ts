/**
 * Cold start (issue 11, third session): a real `mesh daemon` process over a home of N synthetic
 * memories, from spawn until a first search is answered over the socket, and its resident memory
 * then — the figure `store.ts` reports, without its write benchmarks, for one or several builds.
 * Builds are run in turn (A B A B …) so a change in the machine's load falls on all of them.
 * Phases come from the daemon's own log lines (ms after spawn).
 *
 *   node --import tsx scripts/bench/coldStart.ts [--memories 10000] [--runs 7] [--home DIR] [--build DIST_DIR]...
 *
 * `--build` is a folder holding `src/cli/main.js` (default: this checkout's dist/); `--home` keeps
 * (or reuses) the home, which is otherwise written first (~30 s at 10k) and deleted after.
 */
import '../../src/polyfills.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initHome } from '../../src/daemon/initHome.js';
import { homePaths } from '../../src/home.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { timeToFirstSearch } from './firstSearch.js';
import { machine, median, mib, table } from './stats.js';

const { values } = parseArgs({
  options: {
    memories: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '7' },
    home: { type: 'string' },
    build: { type: 'string', multiple: true, default: [] },
  },
});
const N = Number(values.memories);
const RUNS = Number(values.runs);
const BUILDS = (values.build.length > 0 ? values.build : [join(import.meta.dirname, '..', '..', 'dist')]).map((b) => resolve(b));
/** Daemon log lines whose time after spawn is shown as a phase. */
const PHASES = ['indexes ready', 'replication started', 'daemon ready', 'semantic search ready', 'store verified'];

async function writeHome(home: string): Promise<void> {
  const rand = mulberry32(42);
  const items = Array.from({ length: N }, (_, i) => syntheticMemory(rand, i));
  await initHome(home, { name: 'bench' });
  const stack = await openStack(home);
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < items.length) await stack.memories.store(items[next++]!, ACTOR);
  }));
  await stack.close();
}

interface Start {
  ms: number;
  rss: number;
  phases: Map<string, number>;
}

async function coldStart(build: string, home: string): Promise<Start> {
  const logFile = join(homePaths(home).logDir, 'daemon.log');
  const logFrom = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const { ms, rss, wall0 } = await timeToFirstSearch(join(build, 'src', 'cli', 'main.js'), home);
  const phases = new Map<string, number>();
  for (const line of readFileSync(logFile).subarray(logFrom).toString('utf8').split('\n')) {
    if (!line) continue;
    const { msg, time } = JSON.parse(line) as { msg: string; time: number };
    if (PHASES.includes(msg) && !phases.has(msg)) phases.set(msg, time - wall0);
  }
  return { ms, rss, phases };
}

async function main(): Promise<void> {
  for (const build of BUILDS) if (!existsSync(join(build, 'src', 'cli', 'main.js'))) throw new Error(`no src/cli/main.js under ${build}: build it first (npm run build)`);
  const home = values.home ?? mkdtempSync('/tmp/bench-cold-');
  if (!existsSync(join(home, 'db'))) {
    process.stderr.write(`writing ${N} memories into ${home}\n`);
    await writeHome(home);
  }
  console.log(`# cold start to a first search — ${new Date().toISOString().slice(0, 16)} — ${machine()}`);
  console.log(`${N} memories, ${RUNS} starts per build in turn (the first start of all, which builds the vector index, is a warm-up and not counted)\n`);
  await coldStart(BUILDS[0]!, home);
  const starts = BUILDS.map((): Start[] => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [b, build] of BUILDS.entries()) {
      const s = await coldStart(build, home);
      starts[b]!.push(s);
      process.stderr.write(`${build}: ${s.ms.toFixed(0)} ms, ${mib(s.rss)} MiB\n`);
    }
  }
  table(
    ['build', 'cold start ms (median)', 'each start ms', 'RSS MiB (median)', ...PHASES.map((p) => `${p} (ms, median)`)],
    BUILDS.map((build, b) => {
      const s = starts[b]!;
      const phase = (p: string) => {
        const at = s.map((x) => x.phases.get(p)).filter((x): x is number => x !== undefined);
        return at.length ? Math.round(median(at)) : '';
      };
      return [build, Math.round(median(s.map((x) => x.ms))), s.map((x) => Math.round(x.ms)).join(' / '), mib(median(s.map((x) => x.rss))), ...PHASES.map(phase)];
    }),
  );
  if (!values.home) rmSync(home, { recursive: true, force: true });
}

await main();
