/**
 * Cost of the trust layer (issue 19): signing and verifying one membership operation with a
 * host's libp2p Ed25519 key, checking a stored entry (parse + hash + verify), folding a graph of
 * N operations, and the incoming guard on a membership document of N entries.
 *
 *   node --import tsx scripts/bench/trust.ts [--ops 1000] [--runs 5]
 */
import '../../src/polyfills.js';
import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { foldMembership } from '../../src/trust/foldMembership.js';
import { checkEntry, signOp, type OpBody, type SignedOp } from '../../src/trust/membershipOps.js';
import { MEMBERSHIP_OP_DOMAIN } from '../../src/trust/constants.js';
import { signerFromKey, verifyJson } from '../../src/trust/signing.js';
import { silentLogger } from '../../src/log.js';
import type { Membership } from '../../src/mesh/Membership.js';
import { DocStore } from '../../src/store/DocStore.js';
import { ScopeGuard } from '../../src/trust/ScopeGuard.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { ops: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' } } });
const N = Number(values.ops);
const RUNS = Number(values.runs);

async function main(): Promise<void> {
  const key = await generateKeyPair('Ed25519');
  const admin = signerFromKey(key, peerIdFromPrivateKey(key).toString());
  const others = await Promise.all(Array.from({ length: 20 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()));
  const rows: (string | number)[][] = [];
  const perOp = { sign: [] as number[], verify: [] as number[], check: [] as number[], fold: [] as number[], history: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    // A graph of N operations: genesis, adds, then team grants and address updates, each naming the previous.
    const entries = new Map<string, SignedOp>();
    const texts: [string, string][] = [];
    let t0 = performance.now();
    let prev: string[] = [];
    for (let i = 0; i < N; i++) {
      const body: OpBody =
        i === 0
          ? { kind: 'genesis', peer: admin.peerId, name: 'admin', addrs: [] }
          : i <= others.length
            ? { kind: 'add', peer: others[i - 1]!, name: `h${i}`, addrs: ['/ip4/127.0.0.1/tcp/7000'] }
            : { kind: 'team', peer: others[i % others.length]!, team: `t${i % 7}`, role: 'member' };
      const op = await signOp(admin, 'mesh', body, prev);
      entries.set(op.id, op.entry);
      texts.push([op.id, op.text]);
      prev = [op.id];
    }
    perOp.sign.push((performance.now() - t0) / N);
    const root = texts[0]![0];
    t0 = performance.now();
    for (const { op, sig } of entries.values()) await verifyJson(op.by, MEMBERSHIP_OP_DOMAIN, op, sig);
    perOp.verify.push((performance.now() - t0) / N);
    t0 = performance.now();
    for (const [id, text] of texts) await checkEntry(id, text, 'mesh');
    perOp.check.push((performance.now() - t0) / N);
    t0 = performance.now();
    const fold = foldMembership(entries, root);
    perOp.fold.push(performance.now() - t0);
    if (fold.rejected.length) throw new Error(`fold rejected ${fold.rejected.length}`);
    // Reading every entry from a document's whole history (what Membership does on load).
    let doc = A.init<Record<string, unknown>>();
    for (const [id, text] of texts) doc = A.change(doc, (d) => void (d[id] = new A.ImmutableString(text)));
    t0 = performance.now();
    let found = 0;
    for (const bytes of A.getAllChanges(doc)) for (const op of A.decodeChange(bytes).ops) if (op.action === 'set') found++;
    perOp.history.push(performance.now() - t0);
    if (found !== N) throw new Error(`history found ${found}`);
  }
  // The scope guard on the sync apply path: every incoming memory of mesh scope costs one view
  // lookup (a miss during an initial sync); measured against a real store holding 10,000 memories.
  const home = tmpHome('bench-trust-');
  const store = new DocStore(`${home.dir}/db`, silentLogger());
  await store.open();
  const guardMs: number[] = [];
  try {
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) =>
          store.mutate<{ scope: string }>('memories', `m${i + j}`, () => {
            const doc = A.from({ scope: 'mesh', content: `memory ${i + j}` });
            return { doc, view: { scope: 'mesh' }, scope: 'mesh' };
          }),
        ),
      );
    }
    const membershipStub = {} as Membership; // never reached: no local copy is narrower than mesh
    const guard = new ScopeGuard(store, membershipStub);
    const change = A.getAllChanges(A.from({ scope: 'mesh' }))[0]!;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      for (let i = 0; i < 2_000; i++) await guard.check({ peer: 'p', collection: 'memories', id: `new${run}-${i}`, payload: { c: 'memories', id: `new${run}-${i}`, heads: [], full: change, view: { scope: 'mesh' } } });
      for (let i = 0; i < 2_000; i++) await guard.check({ peer: 'p', collection: 'memories', id: `m${i}`, payload: { c: 'memories', id: `m${i}`, heads: [], changes: [change], view: { scope: 'mesh' } } });
      guardMs.push((performance.now() - t0) / 4_000);
    }
  } finally {
    await store.close();
    home.cleanup();
  }
  const f = (x: number) => x.toFixed(3);
  rows.push(['scope guard per incoming memory (view lookup, hit or miss), ms', f(median(guardMs))]);
  rows.push(['sign one operation (canonical JSON + Ed25519), ms', f(median(perOp.sign))]);
  rows.push(['verify one signature, ms', f(median(perOp.verify))]);
  rows.push(['check one stored entry (parse + schema + hash + verify), ms', f(median(perOp.check))]);
  rows.push([`fold ${N} operations, ms`, f(median(perOp.fold))]);
  rows.push([`read ${N} entries from the document history, ms`, f(median(perOp.history))]);
  console.log(`trust bench, ${machine()}, load ${loadavg()[0]!.toFixed(1)}, ${N} operations, median of ${RUNS} runs`);
  table(['measure', 'value'], rows);
}

void main();
