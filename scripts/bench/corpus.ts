/** Seeded synthetic DevOps memories for benchmarks: realistic length and vocabulary, reproducible. */
export { mulberry32 } from '../../test/helpers/prng.js';

const HOSTS = ['elastic', 'pg-primary-', 'pg-replica-', 'proxy-eu', 'proxy-us', 'redis-cache-', 'kafka-broker-', 'web', 'worker-', 'scraper-', 'monitor-', 'dev-box-'];
const ERRORS = ['ERR_CONN_REFUSED', 'ECONNRESET', 'OOMKilled', 'HTTP 502', 'HTTP 504', 'SQLSTATE 40P01', 'ETIMEDOUT', 'disk full', 'TLS handshake failure', 'segfault'];
const VERBS = ['restarted', 'rolled back', 'patched', 'scaled up', 'drained', 'rebooted', 'reindexed', 'rotated keys on', 'upgraded', 'failed over'];
const THINGS = ['the heap limit', 'the connection pool', 'the upstream keepalive', 'the replication slot', 'the shard allocation', 'the cron schedule', 'the TLS certificate', 'the consumer group', 'the cache eviction policy', 'the disk watermark'];
const CATEGORIES = ['incidents', 'runbooks', 'infrastructure', 'deployments', 'monitoring', 'security', 'project'];
const PROJECTS = ['search-platform', 'payments', 'infra', 'data-pipeline', 'web-frontend'];

export interface SyntheticMemory {
  content: string;
  category: string;
  tags: string[];
  project: string;
}

export function syntheticMemory(rand: () => number, i: number): SyntheticMemory {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const host = `${pick(HOSTS)}${1 + Math.floor(rand() * 40)}`;
  const port = pick([443, 5432, 6379, 9092, 9200, 8080, 3000]);
  const content =
    `${host} hit ${pick(ERRORS)} on port ${port} at ${Math.floor(rand() * 24)}:${String(Math.floor(rand() * 60)).padStart(2, '0')}; ` +
    `we ${pick(VERBS)} ${host} and changed ${pick(THINGS)} to ${Math.floor(rand() * 4096)}. ` +
    `Follow-up ticket OPS-${1000 + i}: watch ${pick(THINGS)} and ${pick(ERRORS)} for a week.`;
  return { content, category: pick(CATEGORIES), tags: [host.replace(/\d+$/, ''), pick(['prod', 'staging', 'dev'])], project: pick(PROJECTS) };
}
