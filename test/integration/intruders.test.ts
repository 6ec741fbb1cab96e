import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, encodeToken } from '../../src/mesh/invites.js';
import { eventually, TestHost } from '../helpers/meshHosts.js';

/** Lines of a host's log that mention `what` and `peer`. */
const linesAbout = (host: TestHost, what: string, peer: string) => host.log.split('\n').filter((l) => l.includes(what) && l.includes(peer));

/**
 * Intruders that keep trying (issue 16, item 6): a forged invite (the mesh's real key and inviter,
 * a secret the inviter never issued) and a replayed one (a used secret), each presented again and
 * again by the same peer. None is admitted, and the inviter logs each intruder once per interval,
 * not once per attempt (before: one "refused a join" line per attempt, so an intruder looping on
 * an open invite window could fill the log). Connection-level refusals (unknown peer, removed
 * member, wrong key) are in trust.test.ts and replication.test.ts.
 */
describe('intruders with forged and replayed invites', () => {
  let alpha: TestHost;
  let intruder: TestHost;
  const hosts: TestHost[] = [];
  beforeAll(async () => {
    alpha = await TestHost.create('alpha');
    intruder = await TestHost.create('intruder');
    hosts.push(alpha, intruder);
    await alpha.start();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  /** The intruder presents `token` and runs until its join is refused for good, then stops; returns its peer id. */
  async function attempt(token: string): Promise<string> {
    process.stderr.write(`[intruders] attempt at ${new Date().toISOString()}\n`);
    const j = await intruder.cli(['join', token]);
    expect(j.code, j.stderr).toBe(0);
    await intruder.start();
    await eventually(async () => (await intruder.json<{ replication: { joining: { gave_up: boolean } | null } }>(['status'])).replication.joining?.gave_up === true, 'the intruder to be refused', 60_000);
    const id = await intruder.peerId();
    await intruder.stop();
    return id;
  }

  it('neither is admitted, and each intruder is logged once however often it tries', { timeout: 600_000 }, async () => {
    // An open invite keeps alpha's door open to unknown peers (only the join protocol is reachable).
    const open = decodeToken((await alpha.json<{ token: string }>(['invite'])).token);
    const intruderId = await attempt(encodeToken({ ...open, secret: randomBytes(32).toString('hex') }));
    await attempt(encodeToken({ ...open, secret: randomBytes(32).toString('hex') }));

    const refusals = linesAbout(alpha, 'refused a join', intruderId);
    expect(refusals, alpha.log.slice(-3000)).toHaveLength(1);
    const peers = await alpha.json<{ peers: { peer: string }[] }>(['peers']);
    expect(peers.peers.some((p) => p.peer === intruderId)).toBe(false);

    // The open invite itself still works for its rightful holder, and is then used up: replays are refused.
    const bravo = await TestHost.create('bravo');
    hosts.push(bravo);
    expect((await bravo.cli(['join', encodeToken(open)])).code).toBe(0);
    await bravo.start();
    const bravoId = await bravo.peerId();
    await eventually(async () => (await alpha.json<{ peers: { peer: string }[] }>(['peers'])).peers.some((p) => p.peer === bravoId), 'bravo admitted');
    const before = linesAbout(alpha, 'refused', intruderId).length;
    // A new invite opens the door again for unknown peers; the intruder replays the used one.
    await alpha.json(['invite']);
    await attempt(encodeToken(open));
    expect(linesAbout(alpha, 'refused', intruderId).length - before, alpha.log.slice(-3000)).toBe(0);
    expect((await alpha.json<{ peers: { peer: string }[] }>(['peers'])).peers.some((p) => p.peer === intruderId)).toBe(false);
  });
});
