/**
 * Vault costs through the real path (issue 12). Part 1, in one process with the daemon's own
 * parts: a real LevelDB DocStore signing its changes, a real signed Membership (30 hosts, each
 * publishing its box key by its own signed update), VaultService with its audit chain. It fills a
 * vault with N secrets, shares it with the other M-1 hosts through a team, then times
 * revoke_vault_access (revoke + new generation + every secret re-sealed + wraps for the rest + signing + the
 * durable write + the audit entries), and the bytes the vault adds to a host. Part 2: a real
 * `mesh mcp` driven by the MCP SDK client, timing retrieve_from_vault (each call audited).
 *
 *   node --import tsx scripts/bench/vault-real.ts [--secrets 1000] [--members 30] [--runs 5] [--calls 200]
 */
import '../../src/polyfills.js';
import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { parseArgs } from 'node:util';
import { actorForPeer } from '../../src/authorship/actorBinding.js';
import { changeSigner } from '../../src/authorship/changeSignatures.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { homePaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';
import { Membership, membershipDocId, membershipDocView } from '../../src/mesh/Membership.js';
import { DocStore } from '../../src/store/DocStore.js';
import { foldMembership } from '../../src/trust/foldMembership.js';
import { signOp } from '../../src/trust/membershipOps.js';
import { signerFromKey, type Signer } from '../../src/trust/signing.js';
import { AuditLog } from '../../src/vault/AuditLog.js';
import { newBoxKeyPair } from '../../src/vault/boxKeys.js';
import { VaultBook } from '../../src/vault/VaultBook.js';
import { VaultService } from '../../src/vault/VaultService.js';
import { callOk, mcpClient, mesh } from '../../test/helpers/cli.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { dirBytes, machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { secrets: { type: 'string', default: '1000' }, members: { type: 'string', default: '30' }, runs: { type: 'string', default: '5' }, calls: { type: 'string', default: '200' } } });
const SECRETS = Number(values.secrets);
const SKIP_MCP = process.env['BENCH_SKIP_MCP'] === '1';
const MEMBERS = Number(values.members);
const RUNS = Number(values.runs);
const CALLS = Number(values.calls);
const actor = { machine: 'bench', agent: 'bench' };
const token = (i: number) => `tok_${i.toString().padStart(36, '0')}`; // a typical 40-character API token

async function newSigner(): Promise<{ signer: Signer; key: Awaited<ReturnType<typeof generateKeyPair>> }> {
  const key = await generateKeyPair('Ed25519');
  return { key, signer: signerFromKey(key, peerIdFromPrivateKey(key).toString()) };
}

async function inProcess(): Promise<(string | number)[][]> {
  const home = tmpHome('bench-vault-');
  const { key, signer } = await newSigner();
  const actorId = actorForPeer(signer.peerId);
  const store = new DocStore(`${home.dir}/db`, silentLogger(), actorId, changeSigner(signer.peerId, key.raw));
  await store.open();
  const box = newBoxKeyPair();
  let root: string | undefined;
  const meshId = 'bench-mesh';
  const membership = new Membership({ store, signer, meshId, actorId, boxPublicKey: Buffer.from(box.publicKey).toString('base64'), founder: true, root: () => root, setRoot: (r) => Promise.resolve(void (root = r)), logger: silentLogger() });
  await membership.start();
  await membership.ensureSelf('host-0', []);
  // The other hosts: admitted by this one, each publishing its own box key by its own signed update.
  const others: string[] = [];
  for (let i = 1; i < MEMBERS; i += 1) {
    const other = await newSigner();
    await membership.add(other.signer.peerId, { name: `host-${i}`, addrs: [] });
    await membership.setTeam(other.signer.peerId, 'fleet', 'member');
    const heads = foldMembership(membership.signedEntries(), root).heads;
    const op = await signOp(other.signer, meshId, { kind: 'update', peer: other.signer.peerId, name: `host-${i}`, addrs: [], box: Buffer.from(newBoxKeyPair().publicKey).toString('base64') }, heads);
    await store.mutate<Record<string, unknown>>('mesh', membershipDocId(meshId), (current) => {
      const doc = A.change(current!, (d) => void (d[op.id] = new A.ImmutableString(op.text)));
      return { doc, view: membershipDocView(doc), scope: 'mesh' };
    });
    await membership.refresh();
    others.push(other.signer.peerId);
  }
  const book = new VaultBook(store);
  const vaults = new VaultService({ store, book, audit: new AuditLog(store, signer), signer, membership, boxKey: () => box, logger: silentLogger() });
  await store.flush();
  await store.compact();
  const before = dirBytes(`${home.dir}/db`);
  const vault = (await vaults.create({ name: 'bench', type: 'shared' }, actor)).id;
  const putTimes: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < SECRETS; i += 1) {
    const s = performance.now();
    await vaults.put({ vault, name: `secret-${i}`, value: token(i), kind: 'api_key' }, actor);
    putTimes.push(performance.now() - s);
  }
  const fillMs = performance.now() - t0;
  await store.flush();
  await store.compact();
  const docBytes = (await store.rawDoc('vaults', vault))?.length ?? 0;
  const added = dirBytes(`${home.dir}/db`) - before;
  // What the vault adds as stored documents: the vault, the audit chain's documents, and their change signatures.
  let stored = 0;
  for (const id of await store.idsWithPrefix('vaults', '', 100_000)) stored += ((await store.rawDoc('vaults', id))?.length ?? 0) + ((await store.signatures('vaults', id))?.length ?? 0);
  const shared = await vaults.share({ vault, team: 'fleet', level: 'read' }, actor);
  if (shared.granted.length !== MEMBERS - 1) throw new Error(`shared with ${shared.granted.length} of ${MEMBERS - 1}`);
  const rotations: number[] = [];
  for (let r = 0; r < RUNS; r += 1) {
    const s = performance.now();
    const out = await vaults.revoke({ vault, host: others[r]! }, actor);
    rotations.push(performance.now() - s);
    if (out.resealed !== SECRETS) throw new Error(`re-sealed ${out.resealed}`);
  }
  const state = (await vaults.state(vault))!;
  const get = performance.now();
  await vaults.get({ vault, name: 'secret-1', audit_reason: 'bench' }, actor);
  const getMs = performance.now() - get;
  await store.flush();
  await store.compact();
  const afterRotations = dirBytes(`${home.dir}/db`) - before;
  await store.close();
  home.cleanup();
  return [
    [`fill: ${SECRETS} store_in_vault calls (in process), total`, `${(fillMs / 1000).toFixed(1)} s`],
    ['store_in_vault p50 / p95 / last 10% p50', `${median(putTimes).toFixed(1)} / ${percentile(putTimes, 95).toFixed(1)} / ${median(putTimes.slice(-Math.ceil(SECRETS / 10))).toFixed(1)} ms`],
    [`revoke_vault_access + rotate, ${SECRETS} secrets × ${MEMBERS} members (${state.members.size} left at the end), median of ${RUNS}`, `${median(rotations).toFixed(0)} ms (min ${Math.min(...rotations).toFixed(0)}, max ${Math.max(...rotations).toFixed(0)})`],
    [`retrieve after ${RUNS} rotations (in process, cold generation key)`, `${getMs.toFixed(1)} ms`],
    [`vault document, ${SECRETS} secrets, saved Automerge bytes`, `${docBytes} (${(docBytes / SECRETS).toFixed(0)} per secret)`],
    [`vault + its audit chain as stored documents with their change signatures, ${SECRETS} secrets`, `${stored} (${(stored / SECRETS).toFixed(0)} per secret)`],
    [`LevelDB directory growth over the fill, compacted (includes compaction of earlier data)`, `${added}`],
    [`... after sharing with ${MEMBERS - 1} hosts and ${RUNS} rotations`, `${afterRotations}`],
  ];
}

async function throughMcp(): Promise<(string | number)[][]> {
  const home = tmpHome('bench-vault-mcp-');
  expectOk(await mesh(['init', '--home', home.dir, '--name', 'bench']));
  const client = await mcpClient(home.dir, 'bench', { MESH_TOOLS: 'core,vault' });
  const times: number[] = [];
  const direct: number[] = [];
  try {
    await callOk(client, 'create_vault', { name: 'bench', type: 'personal' });
    for (let i = 0; i < 20; i += 1) await callOk(client, 'store_in_vault', { vault: 'bench', name: `secret-${i}`, value: token(i) });
    for (let i = 0; i < 20; i += 1) await callOk(client, 'retrieve_from_vault', { vault: 'bench', name: `secret-${i}`, audit_reason: 'warm-up' });
    for (let i = 0; i < CALLS; i += 1) {
      const t0 = performance.now();
      await callOk(client, 'retrieve_from_vault', { vault: 'bench', name: `secret-${i % 20}`, audit_reason: 'bench' });
      times.push(performance.now() - t0);
    }
    const socket = await DaemonClient.connect(homePaths(home.dir).socket, { agent: 'bench' });
    for (let i = 0; i < CALLS; i += 1) {
      const t0 = performance.now();
      await socket.call('vault.get', { vault: 'bench', name: `secret-${i % 20}`, audit_reason: 'bench' });
      direct.push(performance.now() - t0);
    }
    socket.close();
  } finally {
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  }
  return [
    [`retrieve_from_vault through MCP, p50 / p95 of ${CALLS} (each appends a signed audit entry)`, `${median(times).toFixed(2)} / ${percentile(times, 95).toFixed(2)} ms`],
    [`vault.get on the daemon socket (no MCP), p50 / p95 of ${CALLS}`, `${median(direct).toFixed(2)} / ${percentile(direct, 95).toFixed(2)} ms`],
  ];
}

function expectOk(r: { code: number; stderr: string }): void {
  if (r.code !== 0) throw new Error(r.stderr);
}

console.log(`# vault, real path — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
table(['measure', 'value'], [...(SKIP_MCP ? [] : await throughMcp()), ...(await inProcess())]);
