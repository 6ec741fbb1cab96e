import { existsSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonHealth } from '../../src/daemon/health.js';
import { breakHnswLinks, flipBytes, scrambleFtsBlocks, sqliteRootPageOffset } from '../helpers/corrupt.js';
import { callDaemon, eventually, TestHost } from '../helpers/meshHosts.js';

/** Damaged files in a home (bit rot, a torn copy, a full disk): derived ones are rebuilt, never fatal; damaged documents are named. */
describe('corrupt files', () => {
  const hosts: TestHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.dispose();
  });

  async function hostWith(n: number, name = 'a'): Promise<{ host: TestHost; ids: string[] }> {
    const host = await TestHost.create(name);
    hosts.push(host);
    await host.start();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await callDaemon<{ id: string }>(host, 'memory.store', { content: `note ${i}: the kafka broker on node ${i % 5} restarted after a disk alarm`, tags: [`t${i % 3}`] })).id);
    return { host, ids };
  }

  const health = (host: TestHost) => callDaemon<DaemonHealth>(host, 'daemon.health', {});

  it('an HNSW file with damaged links is moved aside and rebuilt, and the daemon keeps serving semantic search', async () => {
    const { host } = await hostWith(40);
    await eventually(async () => (await health(host)).vectors.state === 'ok' && (await health(host)).vectors.detail.startsWith('40 vectors'), 'vectors indexed');
    await host.stop();
    const dir = join(host.home.dir, 'index', 'vectors', 'hnsw');
    const file = readdirSync(dir).find((f) => f.endsWith('.hnsw'))!;
    breakHnswLinks(join(dir, file));

    await host.start();
    await eventually(async () => (await health(host)).vectors.state === 'ok', 'vector index rebuilt');
    // Before the fix this search followed a damaged link: the daemon died with SIGSEGV, no log line.
    const found = await callDaemon<{ results: { id: string }[]; mode: string }>(host, 'memory.search', { query: 'broker restarted', mode: 'semantic', limit: 5 });
    expect(found.mode).toBe('semantic');
    expect(found.results).toHaveLength(5);
    expect(host.log).toContain('the vector index failed its check');
    expect((await health(host)).vectors.detail).toContain('fails its checksum');
    expect(readdirSync(dir).some((f) => f.startsWith(`${file}.corrupt-`))).toBe(true);

    // The next start loads the rebuilt index: no crash loop, no second rebuild.
    await host.stop();
    const before = host.log.length;
    await host.start();
    await eventually(() => Promise.resolve(host.log.slice(before).includes('semantic search ready')), 'vectors loaded');
    expect(host.log.slice(before)).not.toContain('failed its check');
    expect((await callDaemon<{ results: unknown[] }>(host, 'memory.search', { query: 'disk alarm', mode: 'semantic', limit: 3 })).results).toHaveLength(3);
    expect(existsSync(join(dir, 'loading'))).toBe(false);
  });

  type Search = { results: { id: string }[]; mode: string; notice?: string };
  const keyword = (host: TestHost, query: string) => callDaemon<Search>(host, 'memory.search', { query, mode: 'keyword', limit: 50 });

  it('a truncated keyword index is moved aside and rebuilt at start (the daemon used to refuse to start)', async () => {
    const { host, ids } = await hostWith(30);
    await host.stop();
    const file = join(host.home.dir, 'index', 'memories.sqlite');
    truncateSync(file, Math.floor(statSync(file).size / 2));

    await host.start();
    expect((await keyword(host, 'kafka broker')).results).toHaveLength(ids.length);
    expect((await health(host)).index).toMatchObject({ state: 'ok', detail: expect.stringContaining('moved aside') as unknown });
    expect(readdirSync(join(host.home.dir, 'index')).some((f) => f.startsWith('memories.sqlite.corrupt-'))).toBe(true);
  });

  it('flipped bytes in a b-tree page of the keyword index are found by the start check, not by failing searches', async () => {
    const { host, ids } = await hostWith(30);
    await host.stop();
    const file = join(host.home.dir, 'index', 'memories.sqlite');
    flipBytes(file, sqliteRootPageOffset(file, 'memories'), 16);

    await host.start();
    expect(host.log).toContain('the keyword index is damaged');
    const stats = await callDaemon<{ total: number }>(host, 'memory.stats', {});
    expect(stats.total).toBe(ids.length);
    expect((await keyword(host, 'disk alarm')).results).toHaveLength(ids.length);
  });

  it('damage met while running (SQLITE_CORRUPT from FTS5) rebuilds the index in the background; search answers meanwhile, doctor says so', async () => {
    const { host, ids } = await hostWith(30);
    expect((await keyword(host, 'kafka')).results).toHaveLength(ids.length);
    scrambleFtsBlocks(join(host.home.dir, 'index', 'memories.sqlite'));

    // Before the fix: INTERNAL "database disk image is malformed", on every search, while doctor said healthy.
    const during = await keyword(host, 'broker restarted');
    if (during.results.length === 0) expect(during.notice).toContain('being rebuilt');
    await eventually(async () => (await health(host)).index.state === 'ok', 'keyword index rebuilt');
    expect((await keyword(host, 'broker restarted')).results).toHaveLength(ids.length);
    expect((await health(host)).index.detail).toContain('moved aside');
    // Writes during and after the recovery are indexed.
    const late = (await callDaemon<{ id: string }>(host, 'memory.store', { content: 'zookeeper quorum lost after the rebuild' })).id;
    expect((await keyword(host, 'zookeeper')).results.map((r) => r.id)).toEqual([late]);
  });
});
