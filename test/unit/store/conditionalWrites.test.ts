import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { CommitEvent } from '../../../src/store/types.js';
import { useTempStore } from '../../helpers/tempStore.js';

interface Note {
  text: string;
  n?: number;
}

const PEER = 'peer-b';

/** What replication stores without loading: a peer's saved document, and changes on top of heads we had. */
describe('DocStore conditional writes (import, append)', () => {
  const t = useTempStore();

  const local = (id: string, text: string) =>
    t.store.mutate<Note>('memories', id, (current) => ({ doc: A.change(current ?? A.init<Note>(), (d) => (d.text = text)), view: { id, text } }));

  it('imports a document it does not have, as sent, and serves it back loaded', async () => {
    const doc = A.change(A.init<Note>(), (d) => (d.text = 'from the peer'));
    const seq = await t.store.importDoc('memories', 'x', A.save(doc), { id: 'x', text: 'from the peer' }, A.getHeads(doc), 'mesh', PEER);
    expect(seq).toBe(1);
    expect((await t.store.load<Note>('memories', 'x'))?.text).toBe('from the peer');
    expect(await t.store.heads('memories', 'x')).toEqual(A.getHeads(doc));
    expect(await t.store.view('memories', 'x')).toEqual({ id: 'x', text: 'from the peer' });
  });

  it('refuses to import over a document it has, or over a tombstone, writing nothing', async () => {
    await local('have', 'mine');
    await t.store.erase('memories', 'gone', { erasedAt: 1, machine: 'm', agent: 'a' });
    const theirs = A.save(A.change(A.init<Note>(), (d) => (d.text = 'theirs')));
    const seq = t.store.lastSeq;
    expect(await t.store.importDoc('memories', 'have', theirs, { text: 'theirs' }, [], 'mesh', PEER)).toBeUndefined();
    expect(await t.store.importDoc('memories', 'gone', theirs, { text: 'theirs' }, [], 'mesh', PEER)).toBeUndefined();
    expect(t.store.lastSeq).toBe(seq);
    expect((await t.store.load<Note>('memories', 'have'))?.text).toBe('mine');
    expect(await t.store.load('memories', 'gone')).toBeUndefined();
  });

  it('an import racing a local write of the same new document never loses the local write', async () => {
    const theirs = A.change(A.init<Note>(), (d) => (d.n = 7));
    // Both queued in the same tick: whichever lands first, the other must not overwrite it.
    const [imported, mine] = await Promise.all([
      t.store.importDoc('memories', 'race', A.save(theirs), { n: 7 }, A.getHeads(theirs), 'mesh', PEER),
      local('race', 'local text'),
    ]);
    const doc = (await t.store.load<Note>('memories', 'race'))!;
    expect(doc.text).toBe('local text');
    if (imported !== undefined) expect(doc.n).toBe(7);
    expect(mine.changed).toBe(true);
  });

  it('appends changes made on top of exactly its heads; the result is the merged document', async () => {
    const { doc: mine } = await local('a', 'v1');
    const base = A.getHeads(mine!);
    // The peer has our version and edits it further.
    let peer = A.load<Note>(A.save(mine!));
    peer = A.change(peer, (d) => {
      d.text = 'v2';
      d.n = 2;
    });
    const changes = A.getChangesSince(peer, base);
    const seq = await t.store.appendChanges('memories', 'a', changes, { id: 'a', text: 'v2' }, A.getHeads(peer), base, 'mesh', PEER);
    expect(seq).toBeDefined();
    const stored = (await t.store.load<Note>('memories', 'a'))!;
    expect(A.getHeads(stored)).toEqual(A.getHeads(peer));
    expect(stored).toEqual({ text: 'v2', n: 2 });
    expect(await t.store.view('memories', 'a')).toEqual({ id: 'a', text: 'v2' });
    // Still an ordinary document: a local write on top of it works and saves compacted.
    const next = await local('a', 'v3');
    expect(next.doc?.text).toBe('v3');
    expect(A.load<Note>((await t.store.rawDoc('memories', 'a'))!).text).toBe('v3');
  });

  it('refuses an append when the document moved since the heads it was answered against', async () => {
    const { doc: v1 } = await local('a', 'v1');
    const base = A.getHeads(v1!);
    const peer = A.change(A.load<Note>(A.save(v1!)), (d) => (d.n = 5));
    await local('a', 'v1 edited here meanwhile');
    const seq = t.store.lastSeq;
    const r = await t.store.appendChanges('memories', 'a', A.getChangesSince(peer, base), { n: 5 }, A.getHeads(peer), base, 'mesh', PEER);
    expect(r).toBeUndefined();
    expect(t.store.lastSeq).toBe(seq);
    expect((await t.store.load<Note>('memories', 'a'))?.text).toBe('v1 edited here meanwhile');
  });

  it('a local write queued right after an append builds on the appended version', async () => {
    const { doc: v1 } = await local('a', 'v1');
    const base = A.getHeads(v1!);
    const peer = A.change(A.load<Note>(A.save(v1!)), (d) => (d.n = 9));
    const appended = t.store.appendChanges('memories', 'a', A.getChangesSince(peer, base), { n: 9 }, A.getHeads(peer), base, 'mesh', PEER);
    const written = local('a', 'after');
    expect(await appended).toBeDefined();
    await written;
    expect(await t.store.load<Note>('memories', 'a')).toEqual({ text: 'after', n: 9 });
  });

  it('batch listeners see every write of a group commit at once, before the writers resume', async () => {
    const batches: (readonly CommitEvent[])[] = [];
    t.store.onCommits((events) => batches.push(events));
    let seenBeforeResume = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        local(`k${i}`, `t${i}`).then(({ seq }) => {
          if (batches.some((b) => b.some((e) => e.seq === seq))) seenBeforeResume++;
        }),
      ),
    );
    expect(seenBeforeResume).toBe(20);
    expect(batches.flat().map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(batches.length).toBeLessThan(20);
  });

  it('marks feed entries of versions taken exactly as a peer sent them, and only those', async () => {
    const doc = A.change(A.init<Note>(), (d) => (d.text = 'theirs'));
    await t.store.importDoc('memories', 'x', A.save(doc), { text: 'theirs' }, A.getHeads(doc), 'mesh', PEER, 'epoch-1');
    await t.store.importDoc('memories', 'y', A.save(doc), { text: 'theirs' }, A.getHeads(doc), 'mesh', PEER);
    await local('z', 'mine');
    const { entries } = await t.store.feedSince(0, 10);
    expect(entries.map((e) => [e.id, e.from])).toEqual([
      ['x', { peer: PEER, epoch: 'epoch-1' }],
      ['y', undefined],
      ['z', undefined],
    ]);
    // A local write on top of the imported version is ours: no longer marked.
    await local('x', 'edited here');
    expect((await t.store.feedSince(0, 10)).entries.find((e) => e.id === 'x')?.from).toBeUndefined();
  });

  it('reads a tombstone, view, heads and bytes of each key from one snapshot', async () => {
    const { doc } = await local('a', 'one');
    await t.store.erase('memories', 'b', { erasedAt: 1, machine: 'm', agent: 'a' });
    const [a, b, c] = await t.store.readMany([
      { collection: 'memories', id: 'a' },
      { collection: 'memories', id: 'b' },
      { collection: 'memories', id: 'c' },
    ]);
    expect(a).toMatchObject({ tomb: undefined, view: { id: 'a', text: 'one' }, heads: A.getHeads(doc!) });
    expect(A.load<Note>(a!.bytes!).text).toBe('one');
    expect(b).toMatchObject({ tomb: { machine: 'm' }, view: undefined, heads: null, bytes: undefined });
    expect(c).toEqual({ tomb: undefined, view: undefined, heads: undefined, bytes: undefined, viewBytes: 0 });
  });
});
