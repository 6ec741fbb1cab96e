import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEMORY_FORMAT_VERSION } from '../../../src/constants.js';
import { toMemory, type MemoryDoc } from '../../../src/domain/Memory.js';
import { silentLogger } from '../../../src/log.js';
import { defaultModel } from '../../../src/search/embedder/models.js';
import { TransformersEmbedder } from '../../../src/search/embedder/TransformersEmbedder.js';
import { MemoryVectors } from '../../../src/search/MemoryVectors.js';
import { HnswVectorIndex } from '../../../src/search/vector/HnswVectorIndex.js';
import type { Collection } from '../../../src/types.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

const OLD_TEXT = 'kafka broker consumer lag runbook for the ingest cluster';
const NEW_TEXT = 'postgres vacuum freeze schedule for the billing database';

/**
 * Issue 16 item 5(b), relatives of issue 18 found in the audit of the memory path: the vector
 * index is derived from the store's commits, and two of its catch-up paths could keep an older
 * text than the store holds until the memory's next write (semantic search ranking it by words it
 * no longer has). The moments are fixed by wrapping the store's real reads, so each write lands
 * exactly inside the window; the real embedder and HNSW index run underneath.
 */
describe('the vector index while memories are written', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openStack>>;
  let embedder: TransformersEmbedder;
  const opened: MemoryVectors[] = [];

  beforeEach(async () => {
    home = tmpHome();
    stack = await openStack(home.dir);
    embedder = await TransformersEmbedder.load(defaultModel());
  });
  afterEach(async () => {
    for (const v of opened.splice(0)) await v.close();
    await stack.close();
    home.cleanup();
  });

  const vectorsDir = () => join(home.dir, 'index', 'vectors');
  const vectorsOver = (settled?: () => Promise<void>) => {
    const dir = vectorsDir();
    const v = new MemoryVectors({ store: stack.store, embedder, vectorIndex: HnswVectorIndex.files(join(dir, 'hnsw'), { modelId: embedder.modelId, dimension: embedder.dimension }), dir, logger: silentLogger(), ...(settled ? { settled } : {}) });
    opened.push(v);
    return { v, opening: v.open() };
  };
  /** The best hit for the new text: the memory itself, by exactly that text (cosine 1), not by the old one. */
  const expectNewText = async (v: MemoryVectors, id: string) => {
    const [best] = await v.search(NEW_TEXT, 1);
    expect(best?.key).toBe(id);
    expect(best!.score, 'the vector is of the newest text').toBeGreaterThan(0.999);
  };

  it('a rebuild keeps a memory written after its scan began (mesh reindex, or a fresh index built in the background)', async () => {
    const { v, opening } = vectorsOver();
    await opening;
    await v.rebuild();
    stack.useVectors(v);
    const x = await stack.memories.store({ content: OLD_TEXT }, ACTOR);
    await stack.memories.store({ content: 'another note about dns' }, ACTOR);
    const store = stack.store;
    const scanViews = store.scanViews.bind(store);
    let wrote = false;
    // Once the scan has its snapshot (its first view read), x is edited: its job is embedded
    // (the writer waits for it) into the index the rebuild is about to replace.
    store.scanViews = async function* <T>(collection: Collection): AsyncGenerator<[string, T]> {
      for await (const item of scanViews<T>(collection)) {
        yield item;
        if (!wrote) {
          wrote = true;
          await stack.memories.update({ memory_id: x.id, content: NEW_TEXT }, ACTOR);
        }
      }
    };
    await v.rebuild();
    store.scanViews = scanViews;
    expect(wrote, 'precondition: the edit landed during the rebuild').toBe(true);
    await expectNewText(v, x.id);
  });

  it('replaying the log at start never puts back a view read before a newer commit of the same memory', async () => {
    const first = vectorsOver();
    await first.opening;
    await first.v.rebuild();
    await first.v.close();
    opened.splice(0);
    // Written while no vector index follows the store (the daemon stopped before indexing it): replayed at the next open.
    const x = await stack.memories.store({ content: OLD_TEXT }, ACTOR);
    const store = stack.store;
    const view = store.view.bind(store);
    let wrote = false;
    // The replay reads x's view; the edit commits before the replay's continuation runs (two
    // LevelDB requests completing out of order on a loaded machine, fixed here).
    store.view = async <T>(collection: Collection, id: string): Promise<T | undefined> => {
      const read = await view<T>(collection, id);
      if (!wrote && id === x.id) {
        wrote = true;
        await stack.memories.update({ memory_id: x.id, content: NEW_TEXT }, ACTOR);
      }
      return read;
    };
    const second = vectorsOver();
    await second.opening;
    store.view = view;
    expect(wrote, 'precondition: the edit landed during the replay').toBe(true);
    await second.v.whenIndexed(x.id);
    await expectNewText(second.v, x.id);
  });

  it('a rebuild saves its state before a replicated write still queued, so a crash right after it replays that write', async () => {
    // A bulk pull is running: replicated memories wait for it before they are embedded.
    let endBulk: () => void = () => undefined;
    const bulk = new Promise<void>((resolve) => (endBulk = resolve));
    const { v, opening } = vectorsOver(() => bulk);
    await opening;
    await v.rebuild();
    const now = Date.now();
    const fields: MemoryDoc = { v: MEMORY_FORMAT_VERSION, id: 'replicated-1', content: NEW_TEXT, category: 'project', tags: [], context: '', project: '', scope: 'mesh', metadata: {}, machine: 'host2', agent: 'agent2', created_at: now, updated_at: now, updated_by: 'agent2', deleted: false, deleted_at: null, deleted_reason: null };
    const doc = A.change(A.init<MemoryDoc>(), (d) => void Object.assign(d, fields));
    const store = stack.store;
    const scanViews = store.scanViews.bind(store);
    let seqOfWrite = 0;
    // The replicated memory lands once the rebuild's scan has its snapshot.
    store.scanViews = async function* <T>(collection: Collection): AsyncGenerator<[string, T]> {
      await stack.memories.store({ content: 'a note so the scan has something to read' }, ACTOR);
      for await (const item of scanViews<T>(collection)) {
        yield item;
        if (!seqOfWrite) ({ seq: seqOfWrite } = await store.mutate<MemoryDoc>('memories', 'replicated-1', () => ({ doc, view: toMemory(doc), scope: 'mesh' }), { origin: 'peer-z' }));
      }
    };
    await v.rebuild();
    store.scanViews = scanViews;
    expect(seqOfWrite, 'precondition: the replicated write landed during the rebuild').toBeGreaterThan(0);
    expect(v.holds('replicated-1'), 'precondition: still queued behind the bulk pull').toBe(false);
    const saved = JSON.parse(readFileSync(join(vectorsDir(), 'state.json'), 'utf8')) as { seq: number };
    expect(saved.seq, 'the saved state stops before the queued write').toBeLessThan(seqOfWrite);
    // SIGKILL now (no close): the next start replays the write from the store's log.
    const restarted = vectorsOver();
    await restarted.opening;
    await restarted.v.whenIndexed('replicated-1');
    expect(restarted.v.holds('replicated-1')).toBe(true);
    await expectNewText(restarted.v, 'replicated-1');
    endBulk();
  });
});
