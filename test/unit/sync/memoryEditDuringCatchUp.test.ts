import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { toMemory, type Memory, type MemoryDoc } from '../../../src/domain/Memory.js';
import type { IncomingDocument, IncomingGuard } from '../../../src/sync/IncomingGuard.js';
import { PROJECTORS } from '../../../src/sync/projectors.js';
import { ACTOR } from '../../helpers/memoryStack.js';
import { MemoryNetwork } from '../../helpers/memoryTransport.js';
import { syncHost, type SyncHost } from '../../helpers/syncPair.js';

const PA = 'peer-a';
const PB = 'peer-b';

/**
 * Issue 16 item 5(b): the memory property test's seed 693271261 was reported as "a host missed an
 * edit made while it caught up after a restart". Replayed (scripts/replayPropertySeed.ts), the
 * schedule has three such moments: an edit on the host that has just restarted while its catch-up
 * pull brings the same memory, an edit on a peer while that pull is in flight, and (issue 18's
 * pattern) a local edit and a replicated one committed in one group commit. Each is driven here
 * step by step, on real stores, indexes and sync engines: the apply point's guard hook runs the
 * edit at the exact moment the pull applies the memory. After ordinary pulls only (no digest, no
 * sweep: those would hide a cursor that skipped), both hosts must hold the same heads and the
 * same view with every edit, and list and find it the same way.
 */
describe('a memory edited while a host catches up after a restart', () => {
  const hosts: SyncHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.dispose()));
  });

  /** Two hosts; b has the memory, then "restarts" after a wrote one edit b has not seen. `during` runs when b's pull applies it. */
  async function scenario(during: (a: SyncHost, b: SyncHost, id: string, payload: IncomingDocument['payload']) => Promise<void>) {
    const net = new MemoryNetwork();
    let fire: ((doc: IncomingDocument) => Promise<void>) | undefined;
    const seen: string[] = [];
    const hook: IncomingGuard = {
      name: 'edit-during-catch-up',
      check: async (doc) => {
        const f = fire;
        if (f && doc.collection === 'memories') {
          fire = undefined;
          seen.push(doc.payload.view !== undefined ? (doc.payload.full ? 'full+view' : 'changes+view') : 'changes');
          await f(doc);
        }
        return { ok: true };
      },
    };
    const a = await syncHost(net, PA, [PA, PB]);
    hosts.push(a);
    const b = await syncHost(net, PB, [PA, PB], { guards: [hook] });
    hosts.push(b);
    const { id } = await a.memories.store({ content: 'property note 5 from p2', tags: ['cache'], category: 'project' }, ACTOR);
    net.connect(PA, PB);
    await b.engine.pull(PA);
    expect((await b.viewOf(id))?.content).toBe('property note 5 from p2');

    // b goes down; a edits the memory meanwhile (b is now exactly one write behind).
    await b.engine.stop();
    net.disconnect(PA, PB);
    await a.memories.update({ memory_id: id, metadata: { w9: 'p2-op9' } }, ACTOR);

    // b comes back: its catch-up pull applies the memory, and the edit under test runs right then.
    await b.engine.start();
    fire = (doc) => during(a, b, id, doc.payload);
    net.connect(PA, PB);
    await b.engine.pull(PA);
    expect(fire, 'the catch-up pull never applied the memory').toBeUndefined();
    return { a, b, id, seen };
  }

  /** Ordinary pulls both ways (no digest, no sweep), then the two hosts compared on everything the property test reads. */
  async function expectConverged(a: SyncHost, b: SyncHost, id: string, expected: Partial<Memory>, words: string[]) {
    await b.engine.pull(PA);
    await a.engine.pull(PB);
    await b.engine.pull(PA);
    const [ha, hb] = [await a.store.heads('memories', id), await b.store.heads('memories', id)];
    expect([...(hb ?? [])].sort(), 'heads').toEqual([...(ha ?? [])].sort());
    for (const h of [a, b]) {
      const stored = await h.viewOf(id);
      // The stored view is the view of the stored document, not a writer's or a sender's older one.
      expect(stored, `${h.peer}: stored view = view of the stored document`).toEqual(toMemory((await h.store.load<MemoryDoc>('memories', id))!));
      expect(stored, h.peer).toMatchObject(expected);
      // What the property test compares: memory.recent / memory.listDeleted (catalog ids, stored views).
      const listed = [...(await h.memories.recent({ hours: 24 * 365, limit: 500 })), ...(await h.memories.listDeleted(500))].filter((m) => m.id === id);
      expect(listed, `${h.peer}: listed once, as stored`).toEqual([stored]);
      // The keyword catalog holds the newest text too.
      for (const word of words) expect((await h.memories.search({ query: word, mode: 'keyword', limit: 5 })).results.map((r) => r.id), `${h.peer} finds "${word}"`).toEqual([id]);
    }
    expect(await b.viewOf(id)).toEqual(await a.viewOf(id));
  }

  it('an edit on the restarted host, durable before the pull writes the peer version, is merged with it', async () => {
    const { a, b, id, seen } = await scenario(async (_a, b, memoryId) => {
      await b.memories.update({ memory_id: memoryId, content: 'property note edited zqbfirst on p1' }, ACTOR);
    });
    // The peer's version came as changes with its view (the one-write-behind reply): the append's
    // condition failed against b's new heads, and the merge path took both.
    expect(seen).toEqual(['changes+view']);
    await expectConverged(a, b, id, { content: 'property note edited zqbfirst on p1', metadata: { w9: 'p2-op9' }, tags: ['cache'] }, ['zqbfirst']);
  });

  it('an edit on the restarted host racing the pull write of the same memory (one group commit) is merged with it', async () => {
    let local: Promise<unknown> | undefined;
    const { a, b, id } = await scenario((_a, b, memoryId) => {
      // Not awaited: the local write and the pull's write of the peer version are queued together.
      local = b.memories.update({ memory_id: memoryId, content: 'property note edited zqbrace on p1' }, ACTOR);
      return Promise.resolve();
    });
    await local;
    await expectConverged(a, b, id, { content: 'property note edited zqbrace on p1', metadata: { w9: 'p2-op9' } }, ['zqbrace']);
  });

  it('an edit on the peer while the restarted host is applying its older version arrives by push or by the next pull', async () => {
    const { a, b, id } = await scenario(async (a, _b, memoryId) => {
      // The peer's next edit, pushed to b while b's pull still holds the previous version.
      await a.memories.update({ memory_id: memoryId, content: 'property note edited zqaduring at 28 on p2', tags: ['db'] }, ACTOR);
    });
    await expectConverged(a, b, id, { content: 'property note edited zqaduring at 28 on p2', metadata: { w9: 'p2-op9' }, tags: ['db'] }, ['zqaduring']);
  });

  it('edits on both hosts during the catch-up (peer first, then local, racing the pull) all survive', async () => {
    let local: Promise<unknown> | undefined;
    const { a, b, id } = await scenario(async (a, b, memoryId) => {
      await a.memories.update({ memory_id: memoryId, metadata: { w28: 'p2-op28' } }, ACTOR);
      local = b.memories.update({ memory_id: memoryId, metadata: { w27: 'p1-op27' }, category: 'infrastructure' }, ACTOR);
    });
    await local;
    await expectConverged(a, b, id, { category: 'infrastructure', metadata: { w9: 'p2-op9', w27: 'p1-op27', w28: 'p2-op28' } }, ['property']);
  });

  it("issue 18's interleaving on a memory: a local edit and a peer's edit in one group commit leave the merged view everywhere", async () => {
    const net = new MemoryNetwork();
    const b = await syncHost(net, PB, [PA, PB]);
    hosts.push(b);
    const store = b.store;
    const m = await b.memories.store({ content: 'card-like memory zqmerged', category: 'project' }, ACTOR);
    // A peer's concurrent change on its own copy.
    const mine = (await store.load<MemoryDoc>('memories', m.id))!;
    const theirs = A.change(A.clone(mine, { actor: 'bb'.repeat(16) }), (d) => {
      d.metadata['w32'] = 'p3-op32';
      d.tags = ['net'];
    });
    const remote = A.getChanges(mine, theirs);
    // Keep the group commit busy so the next two writes share one batch, as under load.
    const other = A.from({ x: 1 });
    const busy = store.importDoc('memories', 'busy', A.save(other), {}, A.getHeads(other), 'mesh', 'some-peer');
    const local = b.memories.update({ memory_id: m.id, metadata: { w33: 'p2-op33' } }, ACTOR);
    for (let i = 0; ; i++) {
      const queued = await store.load<MemoryDoc>('memories', m.id);
      if (queued?.metadata['w33']) break;
      expect(i, 'the local write was never queued').toBeLessThan(1_000);
      await Promise.resolve();
    }
    // The replicated change merged the way the apply point merges: onto the newest version, origin a peer.
    const merged = store.mutate<MemoryDoc>('memories', m.id, (current) => {
      const [doc] = A.applyChanges(current!, remote);
      return { doc, view: PROJECTORS.memories!.view(doc), scope: 'mesh' };
    }, { origin: PA });
    const [, written] = await Promise.all([busy, local, merged]);
    // The writer's own answer is its pre-merge view (what it wrote); nothing keeps it.
    expect(written.metadata).toEqual({ w33: 'p2-op33' });
    const stored = toMemory((await store.load<MemoryDoc>('memories', m.id))!);
    expect(stored.metadata).toEqual({ w32: 'p3-op32', w33: 'p2-op33' });
    expect(await b.memories.retrieve(m.id)).toEqual(stored);
    expect((await b.memories.recent({ hours: 1, limit: 10 })).find((r) => r.id === m.id)).toEqual(stored);
    expect((await b.memories.search({ query: 'zqmerged', mode: 'keyword', limit: 5, tags: ['net'] })).results.map((r) => r.id)).toEqual([m.id]);
  });
});
