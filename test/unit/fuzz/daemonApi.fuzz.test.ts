import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/daemon/api.js';
import { MeshError } from '../../../src/errors.js';
import { RequestSchema } from '../../../src/ipc/messages.js';
import type { Replicator } from '../../../src/sync/Replicator.js';
import { fuzzParams } from '../../helpers/fuzzParams.js';
import { openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/**
 * The daemon API's request validation under arbitrary method names and params, over a real store
 * and memory service: every failure is a MeshError with a code, never a TypeError or RangeError.
 * Replication and health are outside this test (their methods take no params to fuzz).
 */
/** The daemon's own answers (status, health, model, reindex) take no params to fuzz. */
const outsideThisTest = (): never => {
  throw new MeshError('INTERNAL', 'not part of this test');
};

describe('fuzz: daemon API request validation', () => {
  const home = tmpHome();
  let stack: Awaited<ReturnType<typeof openStack>>;
  let handle: ReturnType<typeof buildApi>;
  let stops = 0;

  beforeAll(async () => {
    stack = await openStack(home.dir);
    handle = buildApi({
      memories: stack.memories,
      machine: 'fuzz-host',
      status: outsideThisTest,
      health: outsideThisTest,
      stop: () => void stops++,
      reindex: outsideThisTest,
      replication: () => ({}) as Replicator,
      model: outsideThisTest,
    });
  });
  afterAll(async () => {
    await stack.close();
    home.cleanup();
  });

  const memoryMethods = ['memory.store', 'memory.retrieve', 'memory.update', 'memory.search', 'memory.recent', 'memory.delete', 'memory.history', 'memory.project', 'memory.recover', 'memory.sources', 'memory.stats'];
  const request = fc.record({
    method: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', ...memoryMethods)),
    params: fc.oneof(fc.jsonValue(), fc.anything(), fc.record({ content: fc.anything(), memory_id: fc.anything(), query: fc.anything(), limit: fc.anything(), tags: fc.anything(), scope: fc.anything() }, { requiredKeys: [] })),
  });

  it('arbitrary methods and params: a result or a MeshError with a code', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, params }) => {
        const req = RequestSchema.parse({ id: 1, method, params, ctx: { agent: 'fuzz' } });
        try {
          await handle(req);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(MeshError);
          expect((err as MeshError).code).toMatch(/^[A-Z_]+$/);
        }
      }),
      fuzzParams(400),
    );
    expect(stops).toBe(0);
  }, 60_000);
});
