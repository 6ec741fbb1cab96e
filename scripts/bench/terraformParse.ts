/**
 * The Terraform playbook check through HashiCorp's HCL parser (`@cdktn/hcl2json`, WASM):
 * - cold first use: a fresh process's first check (require + instantiate the WASM + parse), per process;
 * - a ~200-line .tf (test/fixtures/terraform/network.tf) once loaded: median and p95 of --runs checks;
 * - the largest playbook accepted (MAX_CONTENT_CHARS of `locals` arguments): the event loop is held
 *   for the whole parse, which runs synchronously inside the WASM call.
 * Usage: node --import tsx scripts/bench/terraformParse.ts [--runs 50] [--cold 7]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_CONTENT_CHARS } from '../../src/constants.js';
import { checkPlaybook } from '../../src/devops/playbookParse.js';
import { machine, median, percentile, table } from './stats.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const tf = readFileSync(new URL('../../test/fixtures/terraform/network.tf', import.meta.url), 'utf8');

interface Cold {
  first: number;
  firstCpu: number;
  second: number;
  /** RSS the first use added. */
  rss: number;
}

/** CPU milliseconds of the last timed check (user + system, this process): steadier than wall time on a shared machine. */
let lastCpu = 0;
async function timed(content: string): Promise<number> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await checkPlaybook('terraform', content);
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  lastCpu = (used.user + used.system) / 1000;
  return wall;
}

if (process.argv.includes('--child')) {
  // One cold first use, then one warm check of the same file, printed for the parent.
  const before = process.memoryUsage().rss;
  const first = await timed(tf);
  const firstCpu = lastCpu;
  const second = await timed(tf);
  console.log(JSON.stringify({ first, firstCpu, second, rss: process.memoryUsage().rss - before }));
} else {
  const runs = arg('runs', 50);
  const coldRuns = arg('cold', 7);
  const colds: Cold[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cold run failed: ${r.stderr}`);
    colds.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Cold);
  }
  await timed(tf); // load the parser in this process
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push(await timed(tf));
    warmCpu.push(lastCpu);
  }
  let big = 'locals {\n';
  for (let i = 0; big.length < MAX_CONTENT_CHARS - 40; i++) big += `  a${i} = "${'x'.repeat(20)}"\n`;
  big += '}\n';
  const bigs: number[] = [];
  const bigCpu: number[] = [];
  for (let i = 0; i < Math.max(5, Math.floor(runs / 10)); i++) {
    bigs.push(await timed(big));
    bigCpu.push(lastCpu);
  }
  console.log(`${machine()}, ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  table(
    ['what', 'runs', 'p50 ms', 'p95 ms', 'CPU p50 ms'],
    [
      ['cold first use (require + WASM + parse)', coldRuns, median(colds.map((c) => c.first)).toFixed(0), percentile(colds.map((c) => c.first), 95).toFixed(0), median(colds.map((c) => c.firstCpu)).toFixed(0)],
      [`${tf.split('\n').length - 1}-line .tf, loaded`, runs, median(warm).toFixed(2), percentile(warm, 95).toFixed(2), median(warmCpu).toFixed(2)],
      [`${big.length}-char .tf (the largest accepted), loaded`, bigs.length, median(bigs).toFixed(1), percentile(bigs, 95).toFixed(1), median(bigCpu).toFixed(1)],
    ],
  );
  console.log(`RSS added by the first use: ${(median(colds.map((c) => c.rss)) / 1024 / 1024).toFixed(0)} MiB (median of the cold runs)`);
}
