import { existsSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { breakHnswLinks, flipBytes, scrambleFtsBlocks, sqliteRootPageOffset } from '../helpers/corrupt.js';
import { callDaemon, eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

/** Two hosts joined, 50 writes replicated, then two or three daemon starts: ~45 s on this loaded 2-core machine. */
const TWO_HOSTS_TIMEOUT_MS = 240_000;
/** b's redial backoff toward a restarted a (up to the dial backoff maximum) plus one anti-entropy round. */
const REDIAL_AND_SWEEP_MS = 90_000;

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
    for (let i = 0; i < n; i++) ids.push((await callDaemon(host, 'memory.store', { content: `note ${i}: the kafka broker on node ${i % 5} restarted after a disk alarm`, tags: [`t${i % 3}`] })).id);
    return { host, ids };
  }

  const health = (host: TestHost) => callDaemon(host, 'daemon.health', {});

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
    const found = await callDaemon(host, 'memory.search', { query: 'broker restarted', mode: 'semantic', limit: 5 });
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
    expect((await callDaemon(host, 'memory.search', { query: 'disk alarm', mode: 'semantic', limit: 3 })).results).toHaveLength(3);
    expect(existsSync(join(dir, 'loading'))).toBe(false);
  });

  const keyword = (host: TestHost, query: string) => callDaemon(host, 'memory.search', { query, mode: 'keyword', limit: 50 });

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

  it('flipped bytes in a b-tree page of the keyword index are found by the check after start, not by failing searches', async () => {
    const { host, ids } = await hostWith(30);
    await host.stop();
    const file = join(host.home.dir, 'index', 'memories.sqlite');
    flipBytes(file, sqliteRootPageOffset(file, 'memories'), 16);

    await host.start();
    await eventually(async () => (await health(host)).index.detail.includes('moved aside') && (await health(host)).index.state === 'ok', 'index checked and rebuilt');
    expect(host.log).toContain('the keyword index is damaged');
    const stats = await callDaemon(host, 'memory.stats', {});
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
    const late = (await callDaemon(host, 'memory.store', { content: 'zookeeper quorum lost after the rebuild' })).id;
    expect((await keyword(host, 'zookeeper')).results.map((r) => r.id)).toEqual([late]);
  });

  it('a damaged LevelDB block: the store is repaired, damaged ids are listed, re-fetched from a member, and writes keep working', async () => {
    const a = await TestHost.create('a');
    const b = await TestHost.create('b');
    hosts.push(a, b);
    await a.start();
    await joinMesh(a, b);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await callDaemon(a, 'memory.store', { content: `block note ${i}: ${'payload '.repeat(40)}` })).id);
    await eventually(async () => (await b.search('block')).length === 50, 'b has every memory');
    // Twice: the first restart moves the write-ahead log into a table file, where the damage goes.
    await a.stop();
    await a.start();
    await a.stop();
    const db = join(a.home.dir, 'db');
    const table = readdirSync(db).filter((f) => f.endsWith('.ldb')).sort((x, y) => statSync(join(db, y)).size - statSync(join(db, x)).size)[0]!;
    for (const at of [0.2, 0.4, 0.6]) flipBytes(join(db, table), Math.floor(statSync(join(db, table)).size * at), 32);

    await a.start();
    await eventually(async () => (await health(a)).store.verified_at !== null, 'store verified');
    expect(a.log).toMatch(/damaged document|repairing the store/);
    // Before the fix: LEVEL_CORRUPTION on those documents, and on every write once a compaction met the block.
    // Re-fetched by a full sweep: at once if b is connected when the pass ends, else at the first
    // anti-entropy round after b redials (its backoff grew while a was down for three restarts).
    await eventually(async () => (await health(a)).store.damaged.length === 0, 'damaged documents re-fetched from b', REDIAL_AND_SWEEP_MS).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify((await health(a)).store)}\n${a.log.split('\n').filter((l) => /swept|re-fetched|damaged|verified|did not apply|repair|connect|dial/.test(l)).join('\n')}`);
    });
    for (const id of ids) expect((await callDaemon(a, 'memory.retrieve', { memory_id: id })).id).toBe(id);
    for (const id of ids.slice(0, 10)) await callDaemon(a, 'memory.update', { memory_id: id, tags: ['after-repair'] });
  }, TWO_HOSTS_TIMEOUT_MS);

  it('a damaged document nobody else has stays listed, refuses edits with DOCUMENT_DAMAGED, and can always be erased', async () => {
    const { host, ids } = await hostWith(40);
    await host.stop();
    await host.start();
    await host.stop();
    const db = join(host.home.dir, 'db');
    const table = readdirSync(db).filter((f) => f.endsWith('.ldb')).sort((x, y) => statSync(join(db, y)).size - statSync(join(db, x)).size)[0]!;
    // At a memory: the table also holds the (large) membership history and the signatures, which a
    // flip at a fixed fraction of the file can hit instead. Snappy keeps a key's id as literal bytes.
    const bytes = readFileSync(join(db, table));
    // The first stored Automerge document (magic bytes 85 6f 4a 83) right after one of our memory ids.
    const magic = Buffer.from([0x85, 0x6f, 0x4a, 0x83]);
    const docAt = ids
      .map((id) => {
        const k = bytes.indexOf(Buffer.from(id));
        const m = k >= 0 ? bytes.indexOf(magic, k) : -1;
        return m >= 0 && m - k < 64 ? m : -1;
      })
      .find((m) => m >= 0);
    flipBytes(join(db, table), docAt !== undefined ? docAt + 24 : Math.floor(bytes.length * 0.3), 16);

    await host.start();
    await eventually(async () => (await health(host)).store.verified_at !== null, 'store verified');
    const damaged = (await health(host)).store.damaged;
    expect(damaged.length).toBeGreaterThan(0);
    const doctor = await host.cli(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(damaged[0]!.id);
    const status = await host.json<{ damaged: string[] }>(['status']);
    expect(status.damaged).toContain(`${damaged[0]!.collection}/${damaged[0]!.id}`);
    const memoryIds = damaged.filter((d) => d.collection === 'memories').map((d) => d.id);
    expect(memoryIds.length, JSON.stringify(damaged)).toBeGreaterThan(0);
    expect(memoryIds.every((id) => ids.includes(id))).toBe(true);
    await expect(callDaemon(host, 'memory.update', { memory_id: memoryIds[0]!, tags: ['x'] })).rejects.toMatchObject({ code: 'DOCUMENT_DAMAGED' });
    for (const id of memoryIds) expect((await host.cli(['rm', id, '--hard'])).code).toBe(0);
    expect((await health(host)).store.damaged.filter((d) => d.collection === 'memories')).toEqual([]);
    await expect(callDaemon(host, 'memory.retrieve', { memory_id: memoryIds[0]! })).rejects.toMatchObject({ code: 'ERASED' });
  });

  it('a flipped write-ahead log: LevelDB drops acknowledged writes at open; they are reported and re-fetched from a member', async () => {
    const a = await TestHost.create('a');
    const b = await TestHost.create('b');
    hosts.push(a, b);
    await a.start();
    await joinMesh(a, b);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await callDaemon(a, 'memory.store', { content: `log note ${i}: ${'payload '.repeat(40)}` })).id);
    await eventually(async () => (await b.search('log note')).length === 50, 'b has every memory');
    await a.stop();
    const db = join(a.home.dir, 'db');
    const wal = readdirSync(db).find((f) => f.endsWith('.log'))!;
    flipBytes(join(db, wal), Math.floor(statSync(join(db, wal)).size * 0.3), 64);

    await a.start();
    await eventually(async () => (await health(a)).store.verified_at !== null, 'store verified');
    // Before the fix: these writes were gone without a word.
    expect((await health(a)).store.log_reports.join(' ')).toMatch(/dropping/);
    await eventually(async () => {
      for (const id of ids) await callDaemon(a, 'memory.retrieve', { memory_id: id });
      return true;
    }, 'every acknowledged memory back on a', REDIAL_AND_SWEEP_MS);
    await eventually(async () => (await health(a)).store.damaged.length === 0, 'no damaged documents left');
  }, TWO_HOSTS_TIMEOUT_MS);
});
