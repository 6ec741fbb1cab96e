/**
 * Dashboard live-update latency (issue 17) on real daemons over loopback and the system Chromium:
 * host B's board is open in the browser; each write moves a card on host A (task.update over A's
 * socket) and the time is taken when B's page has the card in its new column (a MutationObserver
 * in the page stamps the moment). The path measured: A's commit, replication to B, B's commit
 * event, the server-sent event, the fragment fetch and the DOM swap. A second event stream opened
 * in the page stamps when B's commit event arrived, splitting replication (+ the event hop) from
 * the page's own refresh. `--runs` runs of `--n` writes each; p50/p95 per run, median of the runs.
 *
 *   npm run build && node --import tsx scripts/bench/ui-latency.ts [--n 50] [--runs 3]
 */
import '../../src/polyfills.js';
import { parseArgs } from 'node:util';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { freePort, joinMesh, TestHost } from '../../test/helpers/meshHosts.js';
import { HAVE_CHROMIUM, CHROMIUM_PATH, launchChromium } from '../../test/ui/browser.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '50' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.n);
const RUNS = Number(values.runs);
if (!HAVE_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set MESH_CHROMIUM)`);

/** In the page: resolves with the wall-clock time (ms since the epoch) at which `selector` first matches. */
function appearance(selector: string): string {
  const s = JSON.stringify(selector);
  return `new Promise((resolve) => {
    const stamp = () => performance.timeOrigin + performance.now();
    if (document.querySelector(${s})) return resolve(stamp());
    const seen = new MutationObserver(() => { if (document.querySelector(${s})) { seen.disconnect(); resolve(stamp()); } });
    seen.observe(document.body, { childList: true, subtree: true });
  })`;
}

const now = () => performance.timeOrigin + performance.now();

console.log(`# ui-latency — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
const a = await TestHost.create('ui-a');
const b = await TestHost.create('ui-b');
const browser = await launchChromium();
try {
  await a.start();
  await joinMesh(a, b);
  const opened = await b.json<{ url: string }>(['ui', '--port', String(await freePort())]);
  const ca = await DaemonClient.connect(homePaths(a.home.dir).socket, { agent: 'bench' });
  const page = await browser.newPage();
  await page.goto(opened.url.replace('/fleet?', '/board?'));
  await page.locator('#live-status', { hasText: 'live' }).waitFor();
  await page.evaluate(`window.__commits = []; new EventSource('/events').addEventListener('commit', (e) => window.__commits.push([performance.timeOrigin + performance.now(), JSON.parse(e.data).id]))`);
  const runs: number[][] = [];
  const eventRuns: number[][] = [];
  for (let r = 0; r < RUNS; r++) {
    const { id } = await ca.call('task.create', { title: `bench card ${r}`, priority: 'high' });
    await page.locator(`.card[data-task-id="${id}"]`).waitFor();
    const times: number[] = [];
    const events: number[] = [];
    for (let i = 0; i < N; i++) {
      const status = i % 2 === 0 ? 'in_progress' : 'todo';
      const seen = page.evaluate<number>(appearance(`#col-${status} .card[data-task-id="${id}"]`));
      // The observer is in place before the write starts (evaluate has returned its promise to the page).
      await page.evaluate('0');
      const t0 = now();
      await ca.call('task.update', { task_id: id, status });
      times.push((await seen) - t0);
      const commits = await page.evaluate<[number, string][]>('window.__commits.splice(0)');
      const first = commits.find(([t, task]) => task === id && t >= t0);
      if (first) events.push(first[0] - t0);
    }
    runs.push(times);
    eventRuns.push(events);
  }
  ca.close();
  const p = (q: number) => median(runs.map((t) => percentile(t, q)));
  table(
    ['write on A → shown on B\'s open dashboard', 'writes', 'p50 ms', 'p95 ms', 'p50 per run'],
    [
      ['card move: shown on B\'s board (the whole path)', `${RUNS} × ${N}`, p(50).toFixed(1), p(95).toFixed(1), runs.map((t) => percentile(t, 50).toFixed(1)).join(' / ')],
      ['  of which: B\'s commit event reached the page', `${eventRuns.flat().length}`, median(eventRuns.map((t) => percentile(t, 50))).toFixed(1), median(eventRuns.map((t) => percentile(t, 95))).toFixed(1), eventRuns.map((t) => percentile(t, 50).toFixed(1)).join(' / ')],
    ],
  );
} finally {
  await browser.close();
  await a.dispose();
  await b.dispose();
}
