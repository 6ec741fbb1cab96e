import * as A from '@automerge/automerge';
import { silentLogger, type Logger } from '../../src/log.js';
import type { IncomingGuard } from '../../src/sync/IncomingGuard.js';
import { SyncEngine } from '../../src/sync/SyncEngine.js';
import type { Memory } from '../../src/domain/Memory.js';
import { toMemory, type MemoryDoc } from '../../src/domain/Memory.js';
import { ACTOR, openStack } from './memoryStack.js';
import { StaticMembership } from './staticMembership.js';
import type { MemoryNetwork } from './memoryTransport.js';
import { tmpHome } from './tmpHome.js';

/** A fake clock for the engine: time moves only when the test says so. */
export class FakeClock {
  constructor(public t = Date.parse('2026-12-01T08:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type SyncHost = Awaited<ReturnType<typeof syncHost>>;

/**
 * One host for sync-engine tests: a real store, index, memory service and membership in a
 * temporary home, and a SyncEngine on an in-memory network, with its timer off (the test drives
 * anti-entropy rounds) and a fake clock.
 */
export async function syncHost(net: MemoryNetwork, peer: string, members: readonly string[], opts: { guards?: IncomingGuard[]; clock?: FakeClock; seed?: number; logger?: Logger } = {}) {
  const home = tmpHome();
  // Each host its own Automerge actor, as each daemon has.
  const actorId = Buffer.from(peer.padEnd(16, '-')).toString('hex').slice(0, 32);
  const stack = await openStack(home.dir, { actorId });
  const logger = opts.logger ?? silentLogger();
  const membership = new StaticMembership(members);
  let s = opts.seed ?? 1;
  const engine = new SyncEngine({
    store: stack.store,
    membership,
    transport: net.transport(peer),
    logger,
    canShare: (scope) => scope !== 'private',
    onRemoteErase: () => undefined,
    ...(opts.guards ? { guards: opts.guards } : {}),
    clock: opts.clock ?? new FakeClock(),
    random: () => ((s = (s * 16807) % 2147483647) / 2147483647),
    timer: false,
  });
  await engine.start();
  return {
    peer,
    ...stack,
    membership,
    engine,
    remember: (content: string) => stack.memories.store({ content }, ACTOR),
    async viewOf(id: string): Promise<Memory | undefined> {
      return stack.store.view<Memory>('memories', id);
    },
    /** Gives a memory metadata nested deeper than msgpack encodes (written under the API's checks, as an older host could have). */
    async deepen(id: string, depth: number): Promise<void> {
      await stack.store.mutate<MemoryDoc>('memories', id, (current) => {
        let nested: unknown = [1];
        for (let i = 0; i < depth; i++) nested = [nested];
        const doc = A.change(current!, (d) => {
          d.metadata = { n: nested } as MemoryDoc['metadata'];
        });
        return { doc, view: toMemory(doc), scope: 'mesh' };
      });
    },
    async dispose() {
      await engine.stop();
      await stack.close();
      home.cleanup();
    },
  };
}
