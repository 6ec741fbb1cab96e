/** Phase 3, link measure of the sync benchmark: both daemons running, the relayed link cut and restored. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonClient } from '../../../src/ipc/DaemonClient.js';
import { freePort, type TestHost } from '../../../test/helpers/meshHosts.js';
import { countingProxy } from '../syncProxy.js';
import { caughtUp, established, makeChanges, missingOn, type ReconnectRun } from './reconnect.js';
import { BENCH, client, fmt, load, log, startOpts, until } from './setup.js';

/**
 * Link measure (the laptop that wakes up): both daemons keep running and reach each other only
 * through relays (each announces its relay's address). The relays are cut (connections destroyed,
 * dials refused) while A makes 1,000 changes, then restored; from restoring until B has them all.
 */
export async function linkRuns(a: TestHost, b: TestHost, runs: number, changeBytes: number): Promise<ReconnectRun[]> {
  const [la, lb] = [await freePort(), await freePort()];
  a.port = await freePort();
  b.port = await freePort();
  const pa = await countingProxy(la, a.port);
  const pb = await countingProxy(lb, b.port);
  const relayAddr = (p: number) => `/ip4/127.0.0.1/tcp/${p}`;
  await a.start(['--announce', relayAddr(la), '--peer', relayAddr(lb)], startOpts('link-a'));
  await b.start(['--announce', relayAddr(lb), '--peer', relayAddr(la)], startOpts('link-b'));
  const ca = await client(a);
  const cb = await client(b);
  const linked = async (c: DaemonClient, other: string, relay: number) => (await c.call('mesh.peers', {})).peers.some((p) => p.name === other && p.connected && p.addrs.length > 0 && p.addrs.every((x) => x.includes(`/tcp/${relay}/`)));
  // Each host must have the other's relay address as its only recorded one, or a redial could bypass the cut.
  await until(async () => (await linked(cb, a.name, la)) && (await linked(ca, b.name, lb)), 120_000, 100, 'both hosts to record each other by relay address');
  const results: ReconnectRun[] = [];
  for (let r = 0; r < runs; r++) {
    const recent = (await ca.call('memory.recent', { hours: 8760, limit: 500 })).results.map((x) => x.id);
    await pa.cut();
    await pb.cut();
    const down = async (c: DaemonClient, other: string) => !(await c.call('mesh.peers', {})).peers.some((p) => p.name === other && p.connected);
    await until(async () => (await down(ca, b.name)) && (await down(cb, a.name)), 60_000, 50, 'the link to go down');
    log(`reconnect (link) run ${r + 1}: link cut, 1,000 changes on A`);
    const changes = await makeChanges(ca, recent, 500 + r);
    const totalA = (await ca.call('memory.stats', {})).total;
    const before = pa.bytes().toTarget + pa.bytes().fromTarget + pb.bytes().toTarget + pb.bytes().fromTarget;
    const fromA = a.log.length;
    const fromB = b.log.length;
    const load1 = load();
    const t0 = performance.now();
    await pa.restore();
    await pb.restore();
    await caughtUp(cb, changes, recent, totalA);
    const ms = performance.now() - t0;
    const wire = pa.bytes().toTarget + pa.bytes().fromTarget + pb.bytes().toTarget + pb.bytes().fromTarget - before;
    writeFileSync(join(BENCH, `sync-link-a-${r}.log`), a.log.slice(fromA));
    writeFileSync(join(BENCH, `sync-link-b-${r}.log`), b.log.slice(fromB));
    const direct = established([a.port, b.port]);
    const missing = await missingOn(cb, changes);
    log(`reconnect (link) run ${r + 1}: ${fmt(ms)} s, wire ${wire} B, missing ${missing}`);
    results.push({ ms, startMs: 0, wire, changeBytes, missing, load: load1, note: `${direct} established connection(s) to the real ports at completion (relay legs only)` });
  }
  ca.close();
  cb.close();
  await b.stop();
  await a.stop();
  await pa.close();
  await pb.close();
  return results;
}
