import * as A from '@automerge/automerge';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { CoalescingWriter } from '../../../src/ui/CoalescingWriter.js';
import { UiServer } from '../../../src/ui/UiServer.js';
import { UiTokens } from '../../../src/ui/UiTokens.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/**
 * Commits while the client reads nothing: frames for all of them (~90 bytes each) are far more
 * than the buffers of an unread loopback connection hold (a few hundred KB), so before the fix
 * most of them waited in the daemon, one queued write per commit.
 */
const COMMITS = 10_000;

/**
 * A dashboard that reads nothing (a suspended tab) must not make the daemon queue one frame per
 * commit for as long as it stays connected: commits that arrive while a frame is being written
 * are kept as the newest per collection, and the stream goes on once the client reads again.
 */
describe('dashboard event stream with a client that reads nothing', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it(`${COMMITS} commits while it reads nothing reach it coalesced, and the stream goes on`, async () => {
    const home = tmpHome('ui-backlog-');
    cleanups.push(() => home.cleanup());
    const store = new DocStore(join(home.dir, 'db'), silentLogger());
    await store.open();
    cleanups.push(() => store.close());
    const tokens = await UiTokens.load(join(home.dir, 'ui-tokens.json'));
    const ui = new UiServer({
      source: { call: () => Promise.reject(new Error('no page is rendered here')), onCommit: (listener) => store.onCommit(listener), peerReports: () => new Map() },
      tokens,
      host: 'test',
      logger: silentLogger(),
    });
    await ui.start(0);
    cleanups.push(() => ui.stop());

    const socket: Socket = connect(ui.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    let received = '';
    const ready = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (received.includes('event: ready')) resolve();
      });
    });
    socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${ui.port}\r\nAuthorization: Bearer ${tokens.token('read')}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`);
    await ready;
    socket.pause();

    const bytes = A.save(A.from({ title: 'card' }));
    const heads = A.getHeads(A.load(bytes));
    await Promise.all(Array.from({ length: COMMITS }, (_, i) => store.importDoc('tasks', `card-${i}`, bytes, { title: `card ${i}` }, heads, 'mesh', 'peer')));

    // Reading again: what waited arrives, then a commit made now (the stream is still live).
    socket.resume();
    const sentinel = new Promise<void>((resolve) => socket.on('data', () => received.includes('zz-sentinel') && resolve()));
    await store.importDoc('tasks', 'zz-sentinel', bytes, { title: 'after' }, heads, 'mesh', 'peer');
    await sentinel;
    const frames = received.split('event: commit').length - 1;
    // Before: one frame per commit (10,001), each a write queued in the daemon while the client read nothing.
    expect(frames).toBeLessThan(COMMITS / 2);
  });

  it('holds at most one waiting frame per key while a write never completes', () => {
    const writer = new CoalescingWriter();
    let written = 0;
    // A client whose socket takes no more bytes: its write never settles.
    const stalled = () => {
      written++;
      return new Promise<void>(() => undefined);
    };
    for (let i = 0; i < COMMITS; i++) writer.send(`commit:${['tasks', 'agents', 'memories'][i % 3]}`, stalled);
    expect(writer.pending).toBeLessThanOrEqual(3);
    expect(written).toBeLessThanOrEqual(1);
  });
});
