import { beforeAll, describe, expect, it } from 'vitest';
import { useJoinedPair } from '../helpers/joinedPair.js';
import type { Memory } from '../../src/domain/Memory.js';
import { callDaemon, eventually, type TestHost } from '../helpers/meshHosts.js';

/** Issue #10 item 3: nothing of a private memory reaches a document or message of wider scope. */
describe('private data stays on its host', () => {
  const pair = useJoinedPair();
  let a: TestHost;
  let b: TestHost;
  beforeAll(() => {
    ({ a, b } = pair);
  });

  /** A mesh memory written after `step` on A, seen on B: everything A sent before it has arrived. */
  async function barrier(step: string): Promise<void> {
    const marker = `barrier ${step} zqbarrier${step.replace(/\W/g, '')}`;
    const id = await a.store(marker);
    await eventually(async () => (await b.search(`zqbarrier${step.replace(/\W/g, '')}`)).some((r) => r.id === id), `barrier ${step} on bravo`);
  }

  it('refuses to merge a private memory into a mesh one, and its tags and metadata stay off every other host', async () => {
    const text = 'the staging vault token rotates every monday zqmergeleak';
    const p = await a.store(text, ['--scope', 'private', '--tags', 'secret-tag']);
    const k = await a.store(text, ['--tags', 'public']);
    await eventually(async () => (await b.search('zqmergeleak')).some((r) => r.id === k), 'the mesh memory on bravo');

    const refused = await callDaemon(a, 'memory.mergeDuplicates', { keep_id: k, duplicate_ids: [p] }).then(
      () => undefined,
      (err: { code?: string; message: string }) => err,
    );
    expect(refused).toMatchObject({ code: 'SCOPE_MISMATCH' });
    // The other way round publishes the kept private memory's id in the mesh one's deletion reason: refused too.
    await expect(callDaemon(a, 'memory.mergeDuplicates', { keep_id: p, duplicate_ids: [k] })).rejects.toMatchObject({ code: 'SCOPE_MISMATCH' });

    await barrier('merge');
    const onB = await b.json<Memory>(['get', k]);
    expect(onB.tags).toEqual(['public']);
    expect(onB.metadata).toEqual({});
    expect(onB.deleted).toBe(false);
    expect((await a.json<Memory>(['get', p])).deleted).toBe(false);
  });

  it('erasing a private memory sends no tombstone: no other host learns its id, machine, agent or reason', async () => {
    const p = await a.store('private scratch note zqprivtomb', ['--scope', 'private']);
    const r = await a.cli(['rm', p, '--hard', '--reason', 'contained the prod db password']);
    expect(r.code, r.stderr).toBe(0);
    expect((await a.cli(['get', p])).stderr).toMatch(/erased/);
    await barrier('tomb');
    // A host holding the tombstone answers "erased"; one that never heard of the id says not found.
    const onB = await b.cli(['get', p]);
    expect(onB.stderr).toMatch(/not found/);
    expect(onB.stderr).not.toMatch(/erased/);
    // A full anti-entropy pass (feed from the start) does not bring it either.
    await b.cli(['sync', '--full']);
    await barrier('tomb-full');
    expect((await b.cli(['get', p])).stderr).not.toMatch(/erased/);
  });

  it('erasing a mesh memory still erases it everywhere', async () => {
    const m = await a.store('shared note to erase zqmeshtomb');
    await eventually(async () => (await b.search('zqmeshtomb')).some((r) => r.id === m), 'the mesh memory on bravo');
    expect((await a.cli(['rm', m, '--hard'])).code).toBe(0);
    await eventually(async () => /erased/.test((await b.cli(['get', m])).stderr), 'the erasure on bravo');
  });
});
