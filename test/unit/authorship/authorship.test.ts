import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actorForPeer } from '../../../src/authorship/actorBinding.js';
import { AuthorshipGuard } from '../../../src/authorship/AuthorshipGuard.js';
import { changeMeta } from '../../../src/authorship/changeMeta.js';
import { documentChanges } from '../../../src/authorship/documentChanges.js';
import { changeSigner, verifyChangeSignature, type ChangeSigner } from '../../../src/authorship/changeSignatures.js';
import { attributeHistory } from '../../../src/authorship/historyAuthors.js';
import { decodeRecords, encodeRecords } from '../../../src/authorship/signatureRecords.js';
import { silentLogger } from '../../../src/log.js';
import type { MemberRecord } from '../../../src/mesh/Membership.js';
import { summariseHistory } from '../../../src/store/changeHistory.js';
import { DocStore } from '../../../src/store/DocStore.js';
import type { DocPayload } from '../../../src/sync/messages.js';
import { tmpHome } from '../../helpers/tmpHome.js';

interface Note {
  text: string;
}

async function host(): Promise<{ peer: string; actor: string; signer: ChangeSigner }> {
  const key = await generateKeyPair('Ed25519');
  const peer = peerIdFromPrivateKey(key).toString();
  return { peer, actor: actorForPeer(peer), signer: changeSigner(peer, key.raw) };
}

function record(name: string): MemberRecord {
  return { name, addrs: [], teams: [], team_admin: [], team_roles: {}, admin: false, actor: null, added_by: name, added_at: 0, removed: false, removed_at: null };
}

const note = (actor: string, text: string, base?: A.Doc<Note>) =>
  A.change(base ?? A.init<Note>({ actor }), { message: JSON.stringify({ machine: 'm', agent: 'a', action: 'x' }), time: 1_700_000_000 }, (d) => {
    d.text = text;
  });

describe('change header parsing', () => {
  it('gives the hash, actor, seq and time decodeChange gives, for small and large changes', () => {
    let doc = note('ab'.repeat(16), 'short');
    doc = note('ab'.repeat(16), 'long '.repeat(5_000), doc);
    for (const bytes of A.getAllChanges(doc)) {
      const d = A.decodeChange(bytes);
      expect(changeMeta(bytes)).toEqual({ hash: d.hash, actor: d.actor, seq: d.seq, time: d.time });
    }
  });
});

describe('change signatures', () => {
  it('verify only for the signer and the signed hash', async () => {
    const a = await host();
    const b = await host();
    const hash = changeMeta(A.getAllChanges(note(a.actor, 'x'))[0]!).hash;
    const sig = a.signer.sign(hash);
    expect(verifyChangeSignature(a.peer, hash, sig)).toBe(true);
    expect(verifyChangeSignature(b.peer, hash, sig)).toBe(false);
    expect(verifyChangeSignature(a.peer, '0'.repeat(64), sig)).toBe(false);
    expect(verifyChangeSignature('not-a-peer', hash, sig)).toBe(false);
    const blob = encodeRecords([{ hash, by: a.peer, sig }]);
    expect(decodeRecords(blob).get(hash)?.by).toBe(a.peer);
    expect(() => decodeRecords(blob.subarray(0, 50))).toThrow();
  });
});

describe('AuthorshipGuard', () => {
  let home: ReturnType<typeof tmpHome>;
  let store: DocStore;
  let a: Awaited<ReturnType<typeof host>>;
  let b: Awaited<ReturnType<typeof host>>;
  let members: Map<string, MemberRecord>;
  let legacyOpen: boolean;
  let guard: AuthorshipGuard;

  beforeEach(async () => {
    home = tmpHome();
    a = await host();
    b = await host();
    // This store is host A's: its local writes are signed with A's key.
    store = new DocStore(`${home.dir}/db`, silentLogger(), a.actor, a.signer);
    await store.open();
    members = new Map([
      [a.peer, record('hostA')],
      [b.peer, record('hostB')],
    ]);
    legacyOpen = true;
    guard = new AuthorshipGuard({ membership: { get: (p) => members.get(p), list: () => [...members] }, load: (c, id) => store.load(c, id), legacyOpen: () => legacyOpen });
  });
  afterEach(async () => {
    await store.close();
    home.cleanup();
  });

  const signed = (h: { signer: ChangeSigner }, changes: Uint8Array[]) => encodeRecords(changes.map((c) => ({ hash: changeMeta(c).hash, by: h.signer.peer, sig: h.signer.sign(changeMeta(c).hash) })));
  const check = (payload: Omit<DocPayload, 'c' | 'heads'>) => guard.check({ peer: b.peer, collection: 'memories', id: payload.id, payload: { c: 'memories', heads: [], ...payload } });

  it('accepts changes signed by the key their actor is bound to, as changes or as a whole document', async () => {
    const doc = note(b.actor, 'by b');
    const changes = A.getAllChanges(doc);
    expect(await check({ id: 'n1', changes, sigs: signed(b, changes) })).toEqual({ ok: true });
    expect(await check({ id: 'n1', full: A.save(doc), sigs: signed(b, changes) })).toEqual({ ok: true });
  });

  it("refuses a change under another member's actor, signed or not, and an unsigned change under the signer's own actor", async () => {
    const forged = A.getAllChanges(note(a.actor, 'forged by b'));
    const bySigner = await check({ id: 'n2', changes: forged, sigs: signed(b, forged) });
    expect(bySigner.ok).toBe(false);
    expect(JSON.stringify(bySigner)).toContain('claims the actor of');
    const unsigned = await check({ id: 'n2', changes: forged });
    expect(unsigned.ok).toBe(false);
    const own = A.getAllChanges(note(b.actor, 'b unsigned'));
    expect((await check({ id: 'n3', changes: own })).ok).toBe(false);
    // A whole document with one forged change among signed ones is refused too.
    const mixed = note(b.actor, 'b on top', A.merge(A.init<Note>({ actor: b.actor }), note(a.actor, 'forged')));
    const all = A.getAllChanges(mixed);
    const bOnly = all.filter((c) => changeMeta(c).actor === b.actor);
    expect((await check({ id: 'n4', full: A.save(mixed), sigs: signed(b, bOnly) })).ok).toBe(false);
  });

  it('refuses a whole document carrying a change whose history is missing, or bytes after its chunks', async () => {
    const doc = note(b.actor, 'by b');
    const changes = A.getAllChanges(doc);
    // A forged change under A's actor, on top of a change that is not sent: Automerge queues it
    // (A.load does not complain), so it was never listed, never judged, and would apply on any host
    // that later received its dependency.
    const hidden = note(a.actor, 'hidden base');
    const forged = A.getChanges(hidden, note(a.actor, 'forged on top', A.clone(hidden)));
    const smuggled = new Uint8Array([...A.save(doc), ...forged[0]!]);
    const verdict = await check({ id: 'n9', full: smuggled, sigs: signed(b, changes) });
    expect(verdict.ok).toBe(false);
    expect(JSON.stringify(verdict)).toContain('history is missing');
    // Bytes after the last chunk, and a flipped byte inside it, are refused as A.load refuses them.
    expect((await check({ id: 'n9', full: new Uint8Array([...A.save(doc), 1, 2, 3]), sigs: signed(b, changes) })).ok).toBe(false);
    const flipped = A.save(doc);
    flipped[flipped.byteLength - 3] = flipped[flipped.byteLength - 3]! ^ 0xff;
    expect((await check({ id: 'n9', full: flipped, sigs: signed(b, changes) })).ok).toBe(false);
  });

  it('lists the changes of a whole document as A.load does, for one and several authors and a compacted history', () => {
    let doc = note(b.actor, 'one');
    doc = note(b.actor, 'two', doc);
    doc = A.merge(doc, note(a.actor, 'other', A.clone(doc, { actor: a.actor })));
    // Saved bytes followed by a change chunk, as DocStore.appendChanges stores them.
    const first = note(b.actor, 'x');
    const incremental = new Uint8Array([...A.save(first), ...A.getChanges(first, note(b.actor, 'y', A.clone(first)))[0]!]);
    for (const bytes of [A.save(doc), A.save(first), incremental]) {
      const expected = A.getChangesMetaSince(A.load(bytes), []).map((m) => ({ hash: m.hash, actor: m.actor, seq: m.seq, time: m.time }));
      expect(documentChanges(bytes)).toEqual(expected);
    }
  });

  it('refuses a signature that does not hold over the change, as changes or as a whole document', async () => {
    const doc = note(b.actor, 'by b');
    const changes = A.getAllChanges(doc);
    const hash = changeMeta(changes[0]!).hash;
    const sig = b.signer.sign(hash);
    sig[10] = sig[10]! ^ 0x01;
    const bad = encodeRecords([{ hash, by: b.peer, sig }]);
    for (const payload of [{ id: 'n10', changes, sigs: bad }, { id: 'n10', full: A.save(doc), sigs: bad }]) {
      const verdict = await check(payload);
      expect(verdict.ok).toBe(false);
      expect(JSON.stringify(verdict)).toContain('bad signature');
    }
  });

  it('refuses a signer that is no member, asking for membership first', async () => {
    const stranger = await host();
    const changes = A.getAllChanges(note(stranger.actor, 'who?'));
    expect(await check({ id: 'n5', changes, sigs: signed(stranger, changes) })).toMatchObject({ ok: false, retryAfterMembership: true });
  });

  it('accepts unsigned legacy changes only while the legacy window is open, and never again once it closed, unless already held', async () => {
    const legacy = note('cd'.repeat(16), 'legacy');
    const changes = A.getAllChanges(legacy);
    expect(await check({ id: 'n6', changes })).toEqual({ ok: true });
    // Held here before the window closed: a whole-document reply carrying it is not refused for it.
    await store.mutate<Note>('memories', 'n6', () => ({ doc: A.clone(legacy), view: {} }), { origin: b.peer });
    legacyOpen = false;
    expect(await check({ id: 'n6', full: A.save(legacy) })).toEqual({ ok: true });
    expect((await check({ id: 'n7', changes: A.getAllChanges(note('ef'.repeat(16), 'late')) })).ok).toBe(false);
  });

  it('signs local writes at commit and the history names the verified host and flags a false claim', async () => {
    await store.mutate<Note>('memories', 'n8', (cur) => ({ doc: note(a.actor, 'mine', cur), view: {} }));
    const sigs = await store.signatures('memories', 'n8');
    const history = attributeHistory(summariseHistory((await store.history('memories', 'n8'))!), sigs, (p) => members.get(p)?.name);
    expect(history[0]!.author).toEqual({ status: 'verified', peer: a.peer, host: 'hostA' });
    expect(history[0]!.claim_mismatch).toBe(true); // the change claims machine "m"
    // A local write under another actor is never signed.
    await expect(store.mutate<Note>('memories', 'n9', () => ({ doc: note(b.actor, 'not mine'), view: {} }))).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('migration: a legacy document keeps its unsigned history and takes signed changes under the derived actor after the upgrade', async () => {
    const legacyActor = 'cd'.repeat(16);
    await store.close();
    // Before the upgrade: the old build wrote under a random actor and signed nothing.
    const old = new DocStore(`${home.dir}/db`, silentLogger(), legacyActor);
    await old.open();
    await old.mutate<Note>('memories', 'm1', () => ({ doc: note(legacyActor, 'written before'), view: {} }));
    await old.close();
    // After: the same store opened with the derived actor and the signer.
    store = new DocStore(`${home.dir}/db`, silentLogger(), a.actor, a.signer);
    await store.open();
    await store.mutate<Note>('memories', 'm1', (cur) => ({ doc: note(a.actor, 'written after', cur), view: {} }));
    const doc = (await store.load<Note>('memories', 'm1'))!;
    const history = attributeHistory(summariseHistory((await store.history('memories', 'm1'))!), await store.signatures('memories', 'm1'), (p) => members.get(p)?.name);
    expect(history.map((h) => [h.actor, h.author.status])).toEqual([
      [legacyActor, 'unsigned'],
      [a.actor, 'verified'],
    ]);
    // A peer receiving the whole document: accepted inside its legacy window, refused after it.
    const full = { id: 'm1', full: A.save(doc), sigs: await store.signatures('memories', 'm1') };
    const peerHome = tmpHome();
    const peerStore = new DocStore(`${peerHome.dir}/db`, silentLogger(), b.actor, b.signer);
    await peerStore.open();
    try {
      const peerGuard = (open: boolean) => new AuthorshipGuard({ membership: { get: (p) => members.get(p), list: () => [...members] }, load: (c, id) => peerStore.load(c, id), legacyOpen: () => open });
      const incoming = { peer: a.peer, collection: 'memories' as const, id: 'm1', payload: { c: 'memories' as const, heads: [], ...full } };
      expect(await peerGuard(true).check(incoming)).toEqual({ ok: true });
      expect((await peerGuard(false).check(incoming)).ok).toBe(false);
    } finally {
      await peerStore.close();
      peerHome.cleanup();
    }
  });
});
