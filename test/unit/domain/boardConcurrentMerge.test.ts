import * as A from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskService } from '../../../src/domain/TaskService.js';
import type { TaskDoc } from '../../../src/domain/TaskDoc.js';
import { toTaskView } from '../../../src/domain/Task.js';
import { silentLogger } from '../../../src/log.js';
import { ACTOR, bareEraser } from '../../helpers/memoryStack.js';
import { useTempStore } from '../../helpers/tempStore.js';

/**
 * Issue 18 (board property test, seed 2075591579): b2 commented on a card while b3's concurrent
 * comment arrived by push. Both writes went into one group commit (the store was busy with
 * another write); the commit events put the merged view on the board, and then the local write's
 * own continuation put back the view it had computed before the merge. The store, its heads and
 * its feed were right, so no pull had anything to fetch: the board kept the stale card until
 * the card's next write. Driven step by step here, without timing.
 */
describe('the board while a replicated change and a local one commit together', () => {
  const temp = useTempStore({ actorId: 'cc'.repeat(16) });
  let tasks: TaskService;

  beforeEach(async () => {
    const store = temp.store;
    tasks = new TaskService({ store, logger: silentLogger(), actorId: 'cc'.repeat(16), agentExists: () => true, eraser: bareEraser(store), now: () => Date.now() });
    await tasks.start();
  });
  afterEach(() => {
    tasks.stop();
  });

  it('shows the merged card, not the view the local write computed before the merge', async () => {
    const store = temp.store;
    const card = await tasks.create({ title: 'card 7' }, ACTOR);
    // A peer's comment, made concurrently on its own copy of the card.
    const mine = (await store.load<TaskDoc>('tasks', card.id))!;
    const theirs = A.change(A.clone(mine, { actor: 'bb'.repeat(16) }), (d) => {
      d.comments.push({ at: Date.now(), agent: 'peer-agent', machine: 'b3', text: 'comment 32 from b3' });
      d.progress = 56;
    });
    const remote = A.getChanges(mine, theirs);

    // Keep the store's group commit busy, so the next writes share one batch (as under load).
    const other = A.from({ x: 1 });
    const busy = store.importDoc('memories', 'busy', A.save(other), {}, A.getHeads(other), 'mesh', 'some-peer');
    const local = tasks.update({ task_id: card.id, comment: 'comment 33 from b2', progress: 0 }, ACTOR);
    // Wait (on microtasks only: the store's batch is still on its way to disk) until the local
    // write has been computed and queued, before the peer's change is merged on top of it.
    for (let i = 0; ; i++) {
      const queued = await store.load<TaskDoc>('tasks', card.id);
      if (queued?.comments.some((c) => c.text === 'comment 33 from b2')) break;
      expect(i, 'the local write was never queued').toBeLessThan(1_000);
      await Promise.resolve();
    }
    // The replicated change goes the way a sync merge goes: onto the newest version, origin a peer.
    const merged = store.mutate<TaskDoc>(
      'tasks',
      card.id,
      (current) => {
        const [doc] = A.applyChanges(current!, remote);
        return { doc, view: toTaskView(doc), scope: 'mesh' };
      },
      { origin: 'peer-b3' },
    );
    await Promise.all([busy, local, merged]);

    const stored = toTaskView((await store.load<TaskDoc>('tasks', card.id))!);
    expect(stored.comments.map((c) => c.text)).toEqual(expect.arrayContaining(['comment 32 from b3', 'comment 33 from b2']));
    const shown = await tasks.get(card.id);
    expect(shown.comments.map((c) => c.text)).toEqual(stored.comments.map((c) => c.text));
    expect(shown.progress).toBe(stored.progress);
  });
});
