/**
 * detect_config_drift across S systems of one config type, each with H snapshots in its history
 * (the latest of one system differs in one setting), through ConfigService on the real memory
 * stack (LevelDB + SQLite catalog, in-process: the daemon adds one socket round trip, ~0.3 ms).
 * Also times one create_config_snapshot (content already stored: a new record pointing at it).
 * Usage: node --import tsx scripts/bench/configDrift.ts [--systems 30] [--history 1,10] [--lines 80] [--runs 20]
 */
import '../../src/polyfills.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigService } from '../../src/devops/ConfigService.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { systems: { type: 'string', default: '30' }, history: { type: 'string', default: '1,10' }, lines: { type: 'string', default: '80' }, runs: { type: 'string', default: '20' } } });
const S = Number(values.systems);
const LINES = Number(values.lines);
const RUNS = Number(values.runs);

/** A jvm.options-like file: heap flags, GC flags, properties, then filler settings, LINES lines in all. */
function config(version: number, heap: string): string {
  const lines = ['## JVM configuration', `-Xms${heap}`, `-Xmx${heap}`, '-XX:+UseG1GC', '-XX:G1ReservePercent=25', '-XX:InitiatingHeapOccupancyPercent=30'];
  for (let i = lines.length; i < LINES; i++) lines.push(i % 3 === 0 ? `# setting group ${i}` : `-Des.setting.${i}=${i % 7 === 0 ? `v${version}` : 'default'}`);
  return lines.join('\n') + '\n';
}

const rows: (string | number)[][] = [];
for (const H of values.history.split(',').map(Number)) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  const stack = await openStack(dir);
  const configs = new ConfigService(stack.memories);
  const t0 = performance.now();
  for (let v = 1; v <= H; v++) {
    for (let s = 1; s <= S; s++) {
      // Every system moves through the same versions; system 3's latest has a larger heap.
      const heap = v === H && s === 3 ? '8g' : '4g';
      await configs.snapshot({ system: `elastic${s}`, config_type: 'jvm.options', path: '/etc/elasticsearch/jvm.options', content: config(v, heap) }, ACTOR);
    }
  }
  const populateS = (performance.now() - t0) / 1000;
  const all: number[] = [];
  const one: number[] = [];
  let named = '';
  // CPU time as well as wall time: on a shared, overloaded machine wall time mostly measures the queue.
  let cpu = 0;
  for (let r = 0; r < RUNS; r++) {
    let s = performance.now();
    const c0 = process.cpuUsage();
    const report = await configs.drift({ config_type: 'jvm.options' });
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    all.push(performance.now() - s);
    named = report.peers.odd.map((o) => o.system).join(',');
    s = performance.now();
    await configs.drift({ config_type: 'jvm.options', system: 'elastic3' });
    one.push(performance.now() - s);
  }
  const snap: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const s = performance.now();
    await configs.snapshot({ system: `extra${r}`, config_type: 'jvm.options', path: '/etc/elasticsearch/jvm.options', content: config(H, '4g') }, ACTOR);
    snap.push(performance.now() - s);
  }
  rows.push([S, H, S * H, LINES, RUNS, median(all).toFixed(1), percentile(all, 90).toFixed(1), (cpu / RUNS).toFixed(1), median(one).toFixed(1), median(snap).toFixed(1), named, populateS.toFixed(1)]);
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
}
table(['systems', 'history per system', 'snapshots', 'lines per file', 'runs', 'drift (all) p50 ms', 'p90 ms', 'drift (all) CPU ms/call', 'drift (one system) p50 ms', 'snapshot (content reused) p50 ms', 'odd one out', 'populate s'], rows);
console.log(machine());
