import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { BULK_PULL_DOCS } from '../../src/sync/constants.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

/** More than one bulk pull's worth, and more than one `get` batch, so every fast path runs. */
const N = BULK_PULL_DOCS + 300;
const token = (i: number) => `zqbulk${i}x`;

/**
 * A newcomer's first pull is a bulk sync: documents are stored as the peer saved them, keyword
 * indexed as they land, and embedded only after the pull. Then edits made while the newcomer was
 * away arrive as changes appended to its copies.
 */
describe('bulk sync to a newcomer, then a reconnect with edits', () => {
  let a: TestHost;
  let b: TestHost;
  let ca: DaemonClient;
  let cb: DaemonClient;
  const ids: string[] = [];

  beforeAll(async () => {
    a = await TestHost.create('bulk-a');
    b = await TestHost.create('bulk-b');
    await a.start();
    ca = await DaemonClient.connect(homePaths(a.home.dir).socket, { agent: 'test' });
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < N) {
          const i = next++;
          ids[i] = (await ca.call('memory.store', { content: `runbook ${i}: drained worker-${i % 40} after ${token(i)} alarms`, tags: ['bulk'] })).id;
        }
      }),
    );
    await joinMesh(a, b);
    cb = await DaemonClient.connect(homePaths(b.home.dir).socket, { agent: 'test' });
  }, 240_000);
  afterAll(async () => {
    ca?.close();
    cb?.close();
    await a?.dispose();
    await b?.dispose();
  });

  it('every memory is keyword-searchable once the sync reports it; semantic search catches up after', { timeout: 180_000 }, async () => {
    // `mesh sync` joins the pull in progress (or runs one) and answers when it is done.
    await b.json(['sync']);
    expect((await cb.call('memory.stats', {})).total).toBe(N);
    for (const i of [0, Math.floor(N / 2), N - 1]) {
      const found = await cb.call('memory.search', { query: token(i), mode: 'keyword', limit: 5 });
      expect(found.results.map((r) => r.id)).toContain(ids[i]);
    }
    await eventually(async () => {
      const m = await cb.call('daemon.model', {});
      return m.loaded && m.queued === 0 && (m.vectors ?? 0) >= N;
    }, 'vectors on the newcomer to catch up', 150_000);
    const semantic = await cb.call('memory.search', { query: `runbook 7: drained worker-7 after ${token(7)} alarms`, mode: 'semantic', limit: 10 });
    expect(semantic.results.map((r) => r.id)).toContain(ids[7]);
  });

  it('edits made while the newcomer was down arrive whole, and the newcomer can edit them further', { timeout: 120_000 }, async () => {
    cb.close();
    await b.stop();
    const edited = ids.slice(0, BULK_PULL_DOCS + 10);
    for (const [i, id] of edited.entries()) await ca.call('memory.update', { memory_id: id, content: `edited while away ${i} zqedit${i}x` });
    const fresh = (await ca.call('memory.store', { content: 'stored while away zqawayx' })).id;
    await b.start();
    cb = await DaemonClient.connect(homePaths(b.home.dir).socket, { agent: 'test' });
    await eventually(async () => (await cb.call('memory.retrieve', { memory_id: edited.at(-1)! })).content.includes(`zqedit${edited.length - 1}x`), 'the last edit on the newcomer', 90_000);
    await b.json(['sync']);
    for (const [i, id] of edited.entries()) expect((await cb.call('memory.retrieve', { memory_id: id })).content).toBe(`edited while away ${i} zqedit${i}x`);
    expect((await cb.call('memory.retrieve', { memory_id: fresh })).id).toBe(fresh);
    const hit = await cb.call('memory.search', { query: 'zqedit3x', mode: 'keyword', limit: 5 });
    expect(hit.results.map((r) => r.id)).toEqual([edited[3]]);
    // A document stored from appended changes loads and takes a local edit, which replicates back.
    await cb.call('memory.update', { memory_id: edited[3]!, content: 'edited on the newcomer zqback3x' });
    await eventually(async () => (await ca.call('memory.retrieve', { memory_id: edited[3]! })).content === 'edited on the newcomer zqback3x', 'the newcomer edit on the first host');
  });

  it('a batch of memories too large for one reply frame arrives whole, over several replies', { timeout: 180_000 }, async () => {
    // 40 memories of 60k characters: with their views ~5 MB, past what one reply may hold (and
    // past the 4 MiB a libp2p byte stream buffers by default).
    const big: string[] = [];
    for (let i = 0; i < 40; i++) {
      const filler = Array.from({ length: 6000 }, (_, k) => `w${(k * 7919 + i) % 9973}`).join(' ').slice(0, 60_000 - 20);
      big.push((await ca.call('memory.store', { content: `zqbig${i}x ${filler}` })).id);
    }
    const c = await TestHost.create('bulk-c');
    try {
      await joinMesh(a, c);
      await c.json(['sync']);
      const cc = await DaemonClient.connect(homePaths(c.home.dir).socket, { agent: 'test' });
      try {
        for (const [i, id] of big.entries()) expect((await cc.call('memory.retrieve', { memory_id: id })).content.startsWith(`zqbig${i}x `)).toBe(true);
      } finally {
        cc.close();
      }
    } finally {
      await c.dispose();
    }
  });
});
