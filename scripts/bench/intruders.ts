/**
 * Intruders at fleet scale (issue 16, item 6): N real daemons meshed in network namespaces (root
 * only; scripts/chaos/netnsNetwork.ts), then for a window intruders keep trying every host, each
 * from its own namespace (its own address) with a real libp2p node (scripts/bench/intruderDialer.ts):
 * - wrong key: another mesh's pnet key;
 * - keyed non-member: the mesh key (as from a stolen mesh.json), an identity never admitted;
 * - removed member: a host taken out with `mesh peers remove`, stopped, its key dialling from its address;
 * - replayed invite: a joiner's used token, presented on the join protocol (to every host);
 * - forged invite: the open invite's token with a made-up secret;
 * - forging member: a member whose store got membership operations signed with its own key while
 *   stopped (add the keyed intruder, remove a member, make itself admin, rename the founder).
 * The founder keeps an unused invite open during the window, so unknown peers reach its join
 * protocol (and only that). At the end, on every live host: membership as before the window (no
 * intruder, no forged operation applied), every intruder logged by every host it reached and
 * never twice within the 10-minute interval (nor any other warning about it), and a write still
 * reaches every host. Prints a table and exits 1 on a violation. Build first (`npm run build`).
 *
 *   node --import tsx scripts/bench/intruders.ts [--hosts 5] [--window-s 60] [--gap-ms 3000] [--form-s 900]
 */
import '../../src/polyfills.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { generateKey } from '@libp2p/pnet';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { homePaths } from '../../src/home.js';
import { readIdentity } from '../../src/identity/HostIdentity.js';
import { decodeToken, encodeToken } from '../../src/mesh/invites.js';
import { readMeshSecrets } from '../../src/mesh/MeshSecrets.js';
import type { RefusalReason } from '../../src/sync/RefusalCounts.js';
import { forgeMembershipOps } from '../../test/helpers/forge.js';
import { bringUpMesh } from '../chaos/bringUpMesh.js';
import { ChaosHost } from '../chaos/chaosHost.js';
import { NetnsNetwork } from '../chaos/netnsNetwork.js';
import { REFUSED_LOG_INTERVAL_MS } from '../../src/trust/constants.js';
import type { IntruderReport, TargetOutcome } from './intruderDialer.js';
import { machine, table } from './stats.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '5' },
    'window-s': { type: 'string', default: '60' },
    'gap-ms': { type: 'string', default: '3000' },
    'form-s': { type: 'string', default: '900' },
  },
});
const HOSTS = Number(values.hosts);
const WINDOW_S = Number(values['window-s']);
/** The daemons' port inside their namespaces. */
const PORT = 4100;
/** A write not on every live host after this fails the bench. */
const DELIVERY_TIMEOUT_MS = 60_000;
/** How long an intruder may take past its window to report (its last attempts time out in 8 s). */
const REPORT_GRACE_MS = 30_000;
const WRONG_KEY = 'failed the private-network handshake';
const NOT_A_MEMBER = 'refused a connection from a peer that is not a member';
const BAD_JOIN = 'refused a join';
/** libp2p refused the connection before any byte (too many handshakes in progress): the host knows only the address. */
const EARLY = 'refused a connection before its handshake';

if (!NetnsNetwork.available()) throw new Error('the intruders bench needs root on Linux (network namespaces)');
if (HOSTS < 4) throw new Error('--hosts must be at least 4 (founder, forging member, its victim, removed member)');

type Kind = 'wrong key' | 'keyed non-member' | 'removed member' | 'replayed invite' | 'forged invite';

interface Intruder {
  kind: Kind;
  /** Namespace index it dials from. */
  ns: number;
  args: string[];
  /** Log lines on a host that are about this intruder. */
  about: (line: string) => boolean;
  /** Its address (a host that refused every attempt before the handshake logs only that). */
  ip?: string;
  /** Hosts that must log it (the founder, with its invite open, lets a keyed non-member connect: its sync request is refused unlogged). */
  mustLog: (h: ChaosHost) => boolean;
}

const hostIp = (net: NetnsNetwork, i: number) => net.listenAddress(i, PORT).split('/')[2]!;

async function newKeyFile(dir: string, name: string): Promise<{ file: string; peerId: string }> {
  const key = await generateKeyPair('Ed25519');
  const file = join(dir, `${name}.key`);
  writeFileSync(file, Buffer.from(privateKeyToProtobuf(key)).toString('base64'));
  return { file, peerId: peerIdFromPrivateKey(key).toString() };
}

function runIntruder(net: NetnsNetwork, intruder: Intruder): Promise<IntruderReport> {
  const cmd = [...net.spawnPrefix(intruder.ns), process.execPath, '--import', 'tsx', 'scripts/bench/intruderDialer.ts', ...intruder.args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), WINDOW_S * 1000 + REPORT_GRACE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1);
      if (code !== 0 || !last) reject(new Error(`${intruder.kind} intruder exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(last) as IntruderReport);
    });
  });
}

type Peer = { peer: string; name: string; admin: boolean; removed: boolean };

async function main(): Promise<number> {
  // Namespaces: the N hosts, then one per intruder that has no host of its own.
  const extra = { wrongKey: HOSTS, keyed: HOSTS + 1, replay: HOSTS + 2, forged: HOSTS + 3 };
  const net = new NetnsNetwork();
  const hosts: ChaosHost[] = [];
  const files = mkdtempSync(join(tmpdir(), 'mh-intruders-'));
  const violations: string[] = [];
  try {
    await net.setup(HOSTS + 4);
    for (let i = 0; i < HOSTS; i++) {
      const h = new ChaosHost(i, `h${i}`, PORT, net);
      hosts.push(h);
      await h.init();
    }
    const t0 = Date.now();
    process.stderr.write(`[intruders] bringing up ${HOSTS} hosts (${net.kind})...\n`);
    const tokens = await bringUpMesh(hosts, Number(values['form-s']) * 1000);
    process.stderr.write(`[intruders] mesh up in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    const ids = await Promise.all(hosts.map((h) => h.peerId()));
    const [founder, forger, victim] = [hosts[0]!, hosts[1]!, hosts[2]!];
    const removed = hosts[HOSTS - 1]!;
    const live = hosts.filter((h) => h !== removed);

    // The removed member: taken out on every host, then its daemon stopped (a removed host stops
    // dialling on its own); its key keeps dialling from its address.
    const removedAt = Date.now();
    await founder.call('mesh.removePeer', { peer: ids[removed.index]! });
    await waitFor(async () => (await Promise.all(live.map(async (h) => (await h.call('mesh.peers', {})).peers.some((p) => p.peer === ids[removed.index] && p.removed)))).every(Boolean), 'every host to see the removal', 120_000);
    const removedIdentity = await readIdentity(homePaths(removed.home.dir).identity);
    const removedKeyFile = join(files, 'removed.key');
    writeFileSync(removedKeyFile, removedIdentity!.p2pKey!);
    await removed.stop();

    const secrets = await readMeshSecrets(homePaths(founder.home.dir).mesh);
    const meshPsk = join(files, 'mesh.psk');
    writeFileSync(meshPsk, secrets!.psk);
    const wrongPsk = join(files, 'wrong.psk');
    const wrong = new Uint8Array(95);
    generateKey(wrong);
    writeFileSync(wrongPsk, wrong);
    const keyed = await newKeyFile(files, 'keyed');
    const replayer = await newKeyFile(files, 'replay');
    const forgerOfInvites = await newKeyFile(files, 'forged');

    // The forging member: operations signed with its own key, written into its store while stopped.
    const before = new Map((await founder.call('mesh.peers', {})).peers.map((p) => [p.peer, { name: p.name, admin: p.admin, removed: p.removed }]));
    await forger.stop();
    await forgeMembershipOps(forger.home.dir, [
      { kind: 'add', peer: keyed.peerId, name: 'planted', addrs: [] },
      { kind: 'remove', peer: ids[victim.index]! },
      { kind: 'admin', peer: ids[forger.index]!, admin: true },
      { kind: 'update', peer: ids[founder.index]!, name: 'owned-by-forger', addrs: [] },
    ]);
    const forgedAt = Date.now();
    await forger.start();

    // An invite left open on the founder: unknown peers may reach its join protocol (only that).
    const open = decodeToken((await founder.call('mesh.invite', {})).token);
    const replayFile = join(files, 'replay.token');
    writeFileSync(replayFile, tokens.get(victim.name)!);
    const forgedFile = join(files, 'forged.token');
    writeFileSync(forgedFile, encodeToken({ ...open, secret: randomBytes(32).toString('hex') }));

    const targets = live.map((h) => h.addr).join(',');
    const common = ['--targets', targets, '--window-s', String(WINDOW_S), '--gap-ms', values['gap-ms']];
    const wrongIp = hostIp(net, extra.wrongKey);
    const intruders: Intruder[] = [
      { kind: 'wrong key', ns: extra.wrongKey, args: ['--mode', 'connect', '--psk-file', wrongPsk, ...common], about: (l) => l.includes(WRONG_KEY) && l.includes(`"from":"${wrongIp}"`), mustLog: () => true },
      { kind: 'keyed non-member', ns: extra.keyed, args: ['--mode', 'connect', '--psk-file', meshPsk, '--key-file', keyed.file, ...common], about: (l) => l.includes(NOT_A_MEMBER) && l.includes(keyed.peerId), mustLog: (h) => h !== founder },
      { kind: 'removed member', ns: removed.index, args: ['--mode', 'connect', '--psk-file', meshPsk, '--key-file', removedKeyFile, ...common], about: (l) => l.includes(NOT_A_MEMBER) && l.includes(ids[removed.index]!), mustLog: () => true },
      { kind: 'replayed invite', ns: extra.replay, args: ['--mode', 'join', '--psk-file', meshPsk, '--key-file', replayer.file, '--token-file', replayFile, ...common], about: (l) => (l.includes(NOT_A_MEMBER) || l.includes(BAD_JOIN)) && l.includes(replayer.peerId), mustLog: () => true },
      { kind: 'forged invite', ns: extra.forged, args: ['--mode', 'join', '--psk-file', meshPsk, '--key-file', forgerOfInvites.file, '--token-file', forgedFile, ...common], about: (l) => (l.includes(NOT_A_MEMBER) || l.includes(BAD_JOIN)) && l.includes(forgerOfInvites.peerId), mustLog: () => true },
    ];
    const windowAt = Date.now();
    process.stderr.write(`[intruders] ${intruders.length} intruders dialling ${live.length} hosts for ${WINDOW_S} s...\n`);
    for (const i of intruders) i.ip = hostIp(net, i.ns);
    const reports = await Promise.all(intruders.map((i) => runIntruder(net, i)));

    // Replication still works: a write on the founder reaches every live host.
    const marker = await founder.call('memory.store', { content: `after the intruders ${randomBytes(4).toString('hex')}`, category: 'infrastructure' });
    const w0 = Date.now();
    await waitFor(async () => (await Promise.all(live.map((h) => h.call('memory.retrieve', { memory_id: marker.id }).then(() => true, () => false)))).every(Boolean), 'the write after the window on every host', DELIVERY_TIMEOUT_MS).catch((err: Error) => violations.push(err.message));
    const deliveryMs = Date.now() - w0;

    // Membership on every live host: as before the forgery, no intruder in it.
    const intruderIds = [keyed.peerId, replayer.peerId, forgerOfInvites.peerId];
    const changed = new Set<string>();
    for (const h of live) {
      const peers = (await h.call('mesh.peers', {})).peers as Peer[];
      const now = new Map(peers.map((p) => [p.peer, { name: p.name, admin: p.admin, removed: p.removed }]));
      const problems: string[] = [];
      for (const id of intruderIds) if (now.has(id)) problems.push(`lists intruder ${id}`);
      for (const [id, was] of before) {
        const is = now.get(id);
        if (!is || is.name !== was.name || is.admin !== was.admin || is.removed !== was.removed) problems.push(`member ${was.name} was ${JSON.stringify(was)}, now ${JSON.stringify(is)}`);
      }
      if (now.size !== before.size) problems.push(`${now.size} members, ${before.size} before`);
      if (problems.length) changed.add(h.name);
      violations.push(...problems.map((p) => `${h.name}: ${p}`));
    }

    // Log lines per host about each intruder, over the whole run (a host may have refused the
    // removed member already while it was joining): never two closer than the interval.
    const logs = new Map(live.map((h) => [h, logLines(h)]));
    const linesOf = (h: ChaosHost, from: number) => logs.get(h)!.filter((l) => l.at >= from);
    // The interval is remembered per daemon process: a restarted host (the forging member) may log again.
    const pid = (l: { text: string }) => /"pid":(\d+)/.exec(l.text)?.[1];
    const tooClose = (ls: { at: number; text: string }[]) => ls.some((l, i) => i > 0 && pid(l) === pid(ls[i - 1]!) && l.at - ls[i - 1]!.at < REFUSED_LOG_INTERVAL_MS);
    const show = (ls: { text: string }[]) => ls.map((l) => l.text.slice(0, 400)).join('\n    ');
    const rows: (string | number)[][] = [];
    /** What each intruder's own dials ended with, by error: tells a host's refusal from an intruder giving up. */
    const failureLines: string[] = [];
    /** Hosts an intruder's packets never reached: not a host's failure to log, a fact of the test network. */
    const notReached: string[] = [];
    const status = await Promise.all(live.map(async (h) => (await h.call('daemon.status', {})).replication));
    for (const [k, intruder] of intruders.entries()) {
      const r = reports[k]!;
      const total = (f: Exclude<keyof TargetOutcome, 'failures'>) => Object.values(r.byTarget).reduce((n, o) => n + (o[f] ?? 0), 0);
      const about = live.map((h) => linesOf(h, t0).filter((l) => intruder.about(l.text)));
      const early = live.map((h) => linesOf(h, t0).filter((l) => l.text.includes(EARLY) && l.text.includes(`"from":"${intruder.ip}"`)));
      const max = Math.max(...about.map((ls) => ls.length));
      for (const [i, ls] of [...about.entries(), ...early.entries()]) if (tooClose(ls)) violations.push(`${intruder.kind}: ${ls.length} log lines on ${live[i]!.name} within the 10-minute interval:\n    ${show(ls)}`);
      // A host none of whose attempts got past TCP (unanswered SYNs in the test network: seen as
      // SYN-SENT in the intruder's namespace, nothing on the host) cannot log it: reported apart.
      const reachedHost = (h: ChaosHost, i: number) => (r.byTarget[h.addr]?.reached ?? 0) > 0 || about[i]!.length > 0 || early[i]!.length > 0;
      const unreached = live.filter((h, i) => !reachedHost(h, i)).map((h) => h.name);
      if (unreached.length) notReached.push(`${intruder.kind}: no attempt reached ${unreached.join(', ')} (no TCP connection)`);
      const unlogged = live.filter((h, i) => intruder.mustLog(h) && reachedHost(h, i) && about[i]!.length === 0 && early[i]!.length === 0).map((h) => h.name);
      const byAddressOnly = live.filter((_, i) => about[i]!.length === 0 && early[i]!.length > 0).length;
      const failures = Object.values(r.byTarget).reduce<Record<string, number>>((acc, o) => {
        for (const [why, n] of Object.entries(o.failures ?? {})) acc[why] = (acc[why] ?? 0) + n;
        return acc;
      }, {});
      failureLines.push(`${intruder.kind}: ${Object.entries(failures).map(([why, n]) => `${n} × ${why}`).join('; ') || 'none'}`);
      if (unlogged.length) violations.push(`${intruder.kind}: not logged on ${unlogged.join(', ')}`);
      const admittedBy = live.filter((h) => (r.byTarget[h.addr]?.admitted ?? 0) > 0).map((h) => h.name);
      if (admittedBy.length) violations.push(`${intruder.kind}: admitted by ${admittedBy.join(', ')}`);
      // Past the gater only where an invite is open (the founder), and only a protocol that answers "no".
      const pastGater = live.filter((h) => h !== founder && (r.byTarget[h.addr]?.answered ?? 0) > 0).map((h) => h.name);
      if (pastGater.length) violations.push(`${intruder.kind}: got past the gater of ${pastGater.join(', ')} (no invite open there)`);
      const notTried = live.filter((h) => !r.byTarget[h.addr]?.attempts).map((h) => h.name);
      if (notTried.length) violations.push(`${intruder.kind}: never tried ${notTried.join(', ')}`);
      rows.push([intruder.kind, total('attempts'), total('reached'), total('closed'), total('answered'), `${about.filter((ls, i) => ls.length > 0 || early[i]!.length > 0).length} / ${live.length - unreached.length} reached (${byAddressOnly} by address only)`, max, total('admitted')]);
    }
    // The forging member's document: refused on every other host, logged how often?
    const others = live.filter((h) => h !== forger);
    const forgedLines = others.map((h) => linesOf(h, forgedAt).filter((l) => l.text.includes('refused a document from a peer') && l.text.includes(ids[forger.index]!)));
    const forgerAdmitted = changed.size ? `on ${changed.size} hosts` : 0;
    for (const [i, ls] of forgedLines.entries()) if (tooClose(ls)) violations.push(`forging member: ${ls.length} "refused a document" lines on ${others[i]!.name} since its restart:\n    ${show(ls)}`);
    const unrefused = others.filter((_, i) => forgedLines[i]!.length === 0).map((h) => h.name);
    if (unrefused.length) violations.push(`forging member: its document not refused (no log line) on ${unrefused.join(', ')}`);
    rows.push(['forging member', 'its membership document', '-', '-', '-', `${others.length - unrefused.length} / ${others.length}`, Math.max(...forgedLines.map((ls) => ls.length)), forgerAdmitted]);
    // Any warning about an intruder, whatever its message: never two of one message on one host within the interval.
    const watched = [...intruderIds, ids[removed.index]!, ids[forger.index]!, `"from":"${wrongIp}"`];
    let repeated = 0;
    for (const h of live) {
      const groups = new Map<string, { at: number; text: string }[]>();
      for (const l of linesOf(h, t0)) {
        if (!l.text.includes('"level":40') && !l.text.includes('"level":50')) continue;
        const who = watched.find((w) => l.text.includes(w));
        if (!who) continue;
        const key = `${who} ${/"msg":"([^"]*)"/.exec(l.text)?.[1] ?? ''}`;
        groups.set(key, [...(groups.get(key) ?? []), l]);
      }
      for (const [key, ls] of groups) {
        repeated = Math.max(repeated, ls.length);
        if (tooClose(ls)) violations.push(`${h.name}: ${ls.length} warnings "${key}" within the interval`);
      }
    }
    // Refusal counts in `mesh status`, summed over the live hosts, and members mistaken for wrong-key dialers.
    const sum = (reason: RefusalReason) => status.reduce((n, s) => n + ('refused' in s ? s.refused[reason].attempts : 0), 0);
    const byIp = new Map(hosts.map((h) => [`"from":"${hostIp(net, h.index)}"`, h.name]));
    const phase = (at: number) => (at < removedAt ? 'bring-up' : at < forgedAt ? 'removal' : at < windowAt ? 'forger restart' : 'window');
    const falseWrongKey = live.flatMap((h) =>
      linesOf(h, t0)
        .filter((l) => l.text.includes(WRONG_KEY))
        .flatMap((l) => [...byIp].filter(([ip]) => l.text.includes(ip)).map(([, from]) => `${h.name} <- ${from} (${phase(l.at)})`)),
    );

    console.log(`\nintruders bench: ${machine()}; ${HOSTS} hosts (${live.length} live, ${net.kind}), window ${WINDOW_S} s, each intruder tries every live host every ${values['gap-ms']} ms\n`);
    table(['intruder', 'attempts', 'reached the host (past TCP)', 'closed by the host', 'refused on a protocol (founder, invite open)', 'hosts logging it', 'log lines / host (max)', 'admitted'], rows);
    console.log(`\nmesh status, summed over hosts: wrong_mesh_key ${sum('wrong_mesh_key')}, not_a_member ${sum('not_a_member')}, join_refused ${sum('join_refused')}, refused_before_handshake ${sum('refused_before_handshake')}, aborted_handshake (members' dials given up mid-way, not logged) ${sum('aborted_handshake')}`);
    console.log(`intruders' own failed attempts, by error:\n  ${failureLines.join('\n  ')}`);
    if (notReached.length) console.log(`not reached (the test network dropped every attempt; not counted as unlogged):\n  ${notReached.join('\n  ')}`);
    console.log(`wrong-key lines about a member's own address: ${falseWrongKey.length}${falseWrongKey.length ? ` (${falseWrongKey.join(', ')})` : ''}; forging member's log since restart: ${linesOf(forger, forgedAt).filter((l) => l.text.includes('"level":40') || l.text.includes('"level":50')).length} warnings`);
    console.log(`most warnings of one message about one intruder on one host over the run: ${repeated}`);
    console.log(`write after the window on every live host in ${deliveryMs} ms; membership unchanged on ${live.length - changed.size} / ${live.length} hosts`);
    for (const h of hosts) if (h.crashes.length) violations.push(...h.crashes);
    if (violations.length) console.log(`\nVIOLATIONS:\n- ${violations.join('\n- ')}`);
    else console.log('\nno violation');
    return violations.length ? 1 : 0;
  } finally {
    await Promise.all(hosts.map((h) => h.dispose()));
    await net.teardown();
    rmSync(files, { recursive: true, force: true });
  }
}

/**
 * A host's whole log from its files in the home (JSON lines, every start of the daemon), with each
 * line's time: the in-memory copy of stderr keeps only a tail, which a 30-host run can outgrow.
 */
function logLines(h: ChaosHost): { at: number; text: string }[] {
  const dir = homePaths(h.home.dir).logDir;
  return readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .map((text) => ({ at: Number(/"time":(\d+)/.exec(text)?.[1] ?? 0), text }))
    .filter((l) => l.at > 0)
    .sort((a, b) => a.at - b.at);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

process.exitCode = await main();
