/**
 * Cost of signed authorship per operation (issue 19 item 3), in-process on real Automerge
 * documents of the benchmark corpus's shape and real Ed25519 keys:
 * - signing a local write's change (header parse + Ed25519 sign), what `store_memory` pays;
 * - the apply-point check of a whole document (what an initial sync pays per document: a load to
 *   list its changes, then the rule and a signature check per change), for 1- and 5-change
 *   documents, against `A.load` alone for scale;
 * - the check of a pushed change (the live and reconnect path);
 * - the stored signature bytes per change.
 *
 *   node --import tsx scripts/bench/authorship.ts [--docs 2000] [--runs 5]
 */
import '../../src/polyfills.js';
import { parseArgs } from 'node:util';
import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { actorForPeer } from '../../src/authorship/actorBinding.js';
import { AuthorshipGuard } from '../../src/authorship/AuthorshipGuard.js';
import { changeMeta } from '../../src/authorship/changeMeta.js';
import { changeSigner } from '../../src/authorship/changeSignatures.js';
import { encodeRecords } from '../../src/authorship/signatureRecords.js';
import type { MemberRecord } from '../../src/mesh/Membership.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '2000' }, runs: { type: 'string', default: '5' } } });
const DOCS = Number(values.docs);
const RUNS = Number(values.runs);

const key = await generateKeyPair('Ed25519');
const peer = peerIdFromPrivateKey(key).toString();
const actor = actorForPeer(peer);
const signer = changeSigner(peer, key.raw);
const record: MemberRecord = { name: 'source', addrs: [], teams: [], team_admin: [], team_roles: {}, admin: false, actor, added_by: 'source', added_at: 0, removed: false, removed_at: null };
const guard = new AuthorshipGuard({ membership: { get: (p) => (p === peer ? record : undefined), list: () => [[peer, record]] }, load: () => Promise.resolve(undefined), legacyOpen: () => false });

function makeDoc(i: number, edits: number): A.Doc<Record<string, unknown>> {
  const rand = mulberry32(i + 1);
  const m = syntheticMemory(rand, i) as unknown as Record<string, unknown>;
  let doc = A.change(A.init<Record<string, unknown>>({ actor }), { message: JSON.stringify({ machine: 'source', agent: 'bench', action: 'create' }), time: 1_700_000_000 }, (d) => {
    for (const [k, v] of Object.entries(m)) if (v !== undefined) d[k] = v;
  });
  for (let e = 1; e < edits; e++) doc = A.change(doc, { message: JSON.stringify({ machine: 'source', agent: 'bench', action: 'update' }), time: 1_700_000_000 + e }, (d) => (d['tags'] = [`edit-${e}`]));
  return doc;
}

const sigsOf = (changes: Uint8Array[]) => encodeRecords(changes.map((c) => ({ hash: changeMeta(c).hash, by: peer, sig: signer.sign(changeMeta(c).hash) })));
const per = async (n: number, fn: (i: number) => unknown) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t0) / n;
};

const rows: Record<string, number[]> = {};
const add = (k: string, v: number) => (rows[k] ??= []).push(v);
let bytesPerChange = 0;
for (let run = 0; run < RUNS; run++) {
  for (const edits of [1, 5]) {
    const docs = Array.from({ length: DOCS }, (_, i) => makeDoc(run * DOCS + i, edits));
    const saved = docs.map((d) => A.save(d));
    const changes = docs.map((d) => A.getAllChanges(d));
    const sigs = changes.map(sigsOf);
    bytesPerChange = sigs[0]!.byteLength / edits;
    const payload = (i: number) => ({ peer, collection: 'memories' as const, id: `m${i}`, payload: { c: 'memories' as const, id: `m${i}`, heads: [], full: saved[i]!, sigs: sigs[i]! } });
    add(`A.load alone, ${edits}-change document`, await per(DOCS, (i) => A.load(saved[i]!)));
    add(`check a whole ${edits}-change document (import)`, await per(DOCS, async (i) => {
      if (!(await guard.check(payload(i))).ok) throw new Error('refused');
    }));
  }
  const one = Array.from({ length: DOCS }, (_, i) => A.getAllChanges(makeDoc(run * DOCS + i, 1))[0]!);
  add('sign a local change (parse header + Ed25519)', await per(DOCS, (i) => signer.sign(changeMeta(one[i]!).hash)));
  const oneSigs = one.map((c) => sigsOf([c]));
  add('check a pushed change (parse + verify)', await per(DOCS, async (i) => {
    if (!(await guard.check({ peer, collection: 'memories', id: `p${i}`, payload: { c: 'memories', id: `p${i}`, heads: [], changes: [one[i]!], sigs: oneSigs[i]! } })).ok) throw new Error('refused');
  }));
}
console.log(`# signed authorship cost — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
console.log(`${RUNS} runs x ${DOCS} documents; median of the per-run means\n`);
table(['operation', 'ms each (median)', 'each run'], Object.entries(rows).map(([k, v]) => [k, median(v).toFixed(3), v.map((x) => x.toFixed(3)).join(' / ')]));
console.log(`\nsignature record bytes per change: ${bytesPerChange}`);
