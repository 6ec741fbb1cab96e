import * as A from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { openTempStore } from '../../helpers/tempStore.js';
import { filesContaining, tmpHome } from '../../helpers/tmpHome.js';

interface Note {
  text: string;
}

describe('DocStore', () => {
  let home: ReturnType<typeof tmpHome>;
  let store: DocStore;

  beforeEach(async () => {
    home = tmpHome();
    store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    home.cleanup();
  });

  const put = async (id: string, text: string) => {
    const { seq } = await store.mutate<Note>('memories', id, (current) => ({
      doc: A.change(current ?? A.init<Note>(), (d) => {
        d.text = text;
      }),
      view: { id, text },
    }));
    return seq;
  };

  it('never puts an erased document back: not a writer racing the erasure, not a late import', async () => {
    await put('gone', 'secret plans');
    const tomb = { erasedAt: 1, machine: 'm', agent: 'a' };
    const bytes = (await store.rawDoc('memories', 'gone'))!;
    // The erasure and a write that a peer's whole document would make, queued back to back.
    const erasing = store.erase('memories', 'gone', tomb);
    const racing = put('gone', 'secret plans, resurrected').then(() => 'written', (err: unknown) => err);
    await erasing;
    expect(await racing).toMatchObject({ code: 'ERASED' });
    await expect(put('gone', 'later write')).rejects.toMatchObject({ code: 'ERASED' });
    expect(await store.importDoc('memories', 'gone', bytes, { id: 'gone', text: 'x' }, ['h'], 'mesh', 'peer')).toBeUndefined();
    await store.flush();
    expect(await store.view('memories', 'gone')).toBeUndefined();
    expect(await store.heads('memories', 'gone')).toBeNull();
  });

  it('persists documents and views across reopen', async () => {
    await put('a', 'alpha');
    await put('b', 'beta');
    await store.close();
    store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
    const doc = await store.load<Note>('memories', 'a');
    expect(doc?.text).toBe('alpha');
    expect(await store.view('memories', 'b')).toEqual({ id: 'b', text: 'beta' });
    expect(store.lastSeq).toBe(2);
  });

  it('group-commits concurrent writes with distinct, increasing sequence numbers', async () => {
    const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => put(`k${i}`, `v${i}`)));
    expect(new Set(seqs).size).toBe(200);
    expect(Math.max(...seqs)).toBe(200);
    expect(await store.countDocs('memories')).toBe(200);
  });

  it('concurrent mutations of one document chain instead of forking it', async () => {
    await put('x', 'start');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.mutate<Record<string, string>>('memories', 'x', (current) => ({
          doc: A.change(current!, (d) => {
            d[`f${i}`] = String(i);
          }),
          view: {},
        })),
      ),
    );
    const doc = (await store.load<Record<string, string>>('memories', 'x'))!;
    for (let i = 0; i < 20; i++) expect(doc[`f${i}`]).toBe(String(i));
  });

  it('logs every committed write for replay, and trims it', async () => {
    await put('a', '1');
    await put('b', '2');
    await put('a', '3');
    const entries = [];
    for await (const e of store.changesSince(1)) entries.push(e);
    expect(entries.map((e) => [e.seq, e.id, e.op])).toEqual([
      [2, 'b', 'put'],
      [3, 'a', 'put'],
    ]);
    await store.trimLog(2);
    const rest = [];
    for await (const e of store.changesSince(0)) rest.push(e.seq);
    expect(rest).toEqual([3]);
  });

  it('erasure leaves a tombstone and, after compaction, no trace of the content in any file', async () => {
    const token = 'zq7-erasure-canary-5d1e';
    for (let i = 0; i < 50; i++) await put(`filler${i}`, `filler text ${i}`);
    await put('secret', `leaked ${token} here`);
    await put('secret', `still leaked ${token}`);
    expect((await filesContaining(home.dir, token)).length).toBeGreaterThan(0);
    await store.erase('memories', 'secret', { erasedAt: Date.now(), machine: 'm', agent: 'a' });
    await store.compact();
    expect(await filesContaining(home.dir, token)).toEqual([]);
    expect(await store.load('memories', 'secret')).toBeUndefined();
    expect(await store.tombstone('memories', 'secret')).toMatchObject({ machine: 'm', agent: 'a' });
    expect(await store.view('memories', 'filler7')).toEqual({ id: 'filler7', text: 'filler text 7' });
  });

  it('refuses a second opener of the same database with DAEMON_ALREADY_RUNNING', async () => {
    const second = new DocStore(`${home.dir}/db`, silentLogger());
    await expect(second.open()).rejects.toMatchObject({ code: 'DAEMON_ALREADY_RUNNING' });
  });
});

describe('DocStore with replicated changes', () => {
  it('a merge that adds nothing leaves a writable document behind (no "outdated document")', async () => {
    const temp = await openTempStore();
    const store = temp.store;
    try {
      await store.mutate<Note>('memories', 'm', () => ({ doc: A.change(A.init<Note>(), (d) => (d.text = 'a')), view: {} }));
      const copy = A.save((await store.load<Note>('memories', 'm'))!);
      // What a peer sync does with a document we already have: merge it; nothing new.
      const r = await store.mutate<Note>('memories', 'm', (current) => ({ doc: A.merge(current!, A.load<Note>(copy)), view: {} }));
      expect(r.changed).toBe(false);
      const next = await store.mutate<Note>('memories', 'm', (current) => ({ doc: A.change(current!, (d) => (d.text = 'b')), view: {} }));
      expect(next.doc?.text).toBe('b');
    } finally {
      await temp.dispose();
    }
  });
});
