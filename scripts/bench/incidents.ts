/**
 * record_incident p50 with correlation: N memories (synthetic DevOps corpus) of which M are
 * structured incidents, then R timed record_incident calls through IncidentService on the real
 * memory stack (LevelDB + SQLite keyword index, in-process; no embedding model, so hybrid search
 * answers from the keyword index: the daemon adds one query embedding per search).
 * --runbooks R: R of the past incidents have a runbook written from them (generate_runbook's shape and
 * link), so record_incident also suggests runbooks, directly or through a matching incident.
 * Usage: node --import tsx scripts/bench/incidents.ts [--memories 10000] [--incidents 1000] [--runbooks 0] [--runs 50]
 */
import '../../src/polyfills.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IncidentService } from '../../src/devops/IncidentService.js';
import { renderRunbook } from '../../src/devops/RunbookService.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { memories: { type: 'string', default: '10000' }, incidents: { type: 'string', default: '1000' }, runs: { type: 'string', default: '50' }, runbooks: { type: 'string', default: '0' } } });
const R = Number(values.runbooks);
const N = Number(values.memories);
const M = Number(values.incidents);
const RUNS = Number(values.runs);
const dir = mkdtempSync(join(tmpdir(), 'bench-incidents-'));
const stack = await openStack(dir);
const m = stack.memories;
const call = async <T>(method: string, params: unknown): Promise<T> => {
  const p = params as never; // validated by the daemon's schemas in real use; the bench builds them itself
  const run: Record<string, () => Promise<unknown>> = {
    'memory.store': () => m.store(p, ACTOR),
    'memory.retrieve': () => m.retrieve((p as { memory_id: string }).memory_id),
    'memory.update': () => m.update(p, ACTOR),
    'memory.search': () => m.search(p),
    'memory.recent': async () => ({ results: await m.recent(p) }),
  };
  const f = run[method];
  if (!f) throw new Error(`bench has no ${method}`);
  return (await f()) as T;
};
const service = new IncidentService(call);
const rand = mulberry32(13);
const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < N - M) {
      const i = next++;
      await m.store(syntheticMemory(rand, i), ACTOR);
    }
  }),
);
const hosts = ['proxy-eu', 'pg-primary-', 'elastic', 'redis-cache-', 'kafka-broker-'];
const errors = ['ECONNREFUSED', 'OOMKilled', 'HTTP 502', 'ETIMEDOUT', 'SQLSTATE 40P01'];
const incidentInput = (i: number) => {
  const host = `${hosts[i % hosts.length]}${1 + (i % 37)}`;
  const err = errors[(i * 7) % errors.length];
  return { title: `${host} failing with ${err}`, description: `clients saw ${err} from ${host}; latency rose and the pool drained (case ${i})`, affected_systems: [host], opened_at: new Date(Date.now() - (i + 1) * 86_400_000).toISOString() };
};
// Past incidents stored directly with their structure (their own correlation is not what is timed).
for (let i = 0; i < M; i++) {
  const inc = incidentInput(i);
  const related: string[] = [];
  if (i < R) {
    const steps = [`drain ${inc.affected_systems[0]}`, 'restart the pool', 'watch the error rate'];
    const rb = { title: inc.title, trigger: inc.description, steps, verification: 'errors gone', rollback: 'undrain', systems: inc.affected_systems };
    related.push((await m.store({ content: renderRunbook(rb), category: 'runbooks', tags: ['kind:runbook', ...rb.systems], metadata: { kind: 'runbook', ...rb, version: 1 } }, ACTOR)).id);
  }
  await m.store({ content: `Incident: ${inc.title}\n\n${inc.description}`, category: 'incidents', metadata: { kind: 'incident', title: inc.title, description: inc.description, affected_systems: inc.affected_systems, status: 'resolved', opened_at: inc.opened_at, related } }, ACTOR);
}
const populateMs = performance.now() - t0;
// On stderr so a long populate can be watched and the timed phase left undisturbed.
console.error(`populated ${N} memories in ${(populateMs / 1000).toFixed(0)} s; timing ${RUNS} record_incident calls`);
const times: number[] = [];
let matched = 0;
let suggested = 0;
for (let r = 0; r < RUNS; r++) {
  const s = performance.now();
  const { correlations } = await service.record({ ...incidentInput(M + r), opened_at: undefined });
  times.push(performance.now() - s);
  if (correlations.length) matched++;
  if (correlations.some((c) => c.kind === 'runbook')) suggested++;
}
const list = performance.now();
await service.list({});
const listMs = performance.now() - list;
table(['memories', 'incidents', 'runbooks', 'runs', 'record_incident p50 ms', 'p90 ms', 'runs with a correlation', 'runs with a runbook', 'list_incidents ms', 'populate s'], [[N, M, R, RUNS, median(times).toFixed(1), percentile(times, 90).toFixed(1), matched, suggested, listMs.toFixed(1), (populateMs / 1000).toFixed(0)]]);
console.log(machine());
await stack.close();
rmSync(dir, { recursive: true, force: true });
