import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldMembership } from '../../../src/trust/foldMembership.js';
import { checkEntry, signOp, type OpBody, type SignedOp } from '../../../src/trust/membershipOps.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';

const MESH = 'mesh-1';

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

/** A little graph builder: every op names the given parents (default: the current heads). */
class Graph {
  readonly entries = new Map<string, SignedOp>();
  root = '';
  async op(signer: Signer, body: OpBody, prev?: string[], at = Date.now()): Promise<string> {
    const { id, entry } = await signOp(signer, MESH, body, prev ?? this.heads(), at);
    if (body.kind === 'genesis') this.root = id;
    this.entries.set(id, entry);
    return id;
  }
  heads(): string[] {
    return this.entries.size ? foldMembership(this.entries, this.root).heads : [];
  }
  fold() {
    return foldMembership(this.entries, this.root);
  }
}

describe('foldMembership', () => {
  let a: Signer, b: Signer, c: Signer, d: Signer;
  beforeAll(async () => {
    [a, b, c, d] = await Promise.all([newSigner(), newSigner(), newSigner(), newSigner()]);
  });

  async function mesh() {
    const g = new Graph();
    await g.op(a, { kind: 'genesis', peer: a.peerId, name: 'A', addrs: [] }, []);
    await g.op(a, { kind: 'add', peer: b.peerId, name: 'B', addrs: [] });
    await g.op(a, { kind: 'add', peer: c.peerId, name: 'C', addrs: [] });
    return g;
  }

  it('the creator is admin; admins add; a non-admin add, rename of another or team self-grant does not count', async () => {
    const g = await mesh();
    await g.op(c, { kind: 'add', peer: d.peerId, name: 'D', addrs: [] });
    await g.op(c, { kind: 'update', peer: a.peerId, name: 'evil', addrs: [] });
    await g.op(c, { kind: 'team', peer: c.peerId, team: 'ops', role: 'member' });
    await g.op(c, { kind: 'admin', peer: c.peerId, admin: true });
    const f = g.fold();
    expect(f.members.get(a.peerId)).toMatchObject({ admin: true, name: 'A' });
    expect(f.members.has(d.peerId)).toBe(false);
    expect(f.members.get(c.peerId)).toMatchObject({ admin: false, teams: {} });
    expect(f.rejected.map((r) => r.reason)).toEqual(expect.arrayContaining(['only an admin adds members', 'a host changes only its own record', 'only an owner or admin of team ops, or a mesh admin, changes roles in it', 'only an admin grants or revokes admin']));
  });

  it('removal is final: a concurrent add loses, an add that saw the removal re-admits', async () => {
    const g = await mesh();
    await g.op(a, { kind: 'admin', peer: b.peerId, admin: true });
    const base = g.heads();
    await g.op(a, { kind: 'remove', peer: c.peerId }, base);
    await g.op(b, { kind: 'add', peer: c.peerId, name: 'C', addrs: [] }, base); // concurrent
    expect(g.fold().members.get(c.peerId)?.removed).toBe(true);
    await g.op(b, { kind: 'add', peer: c.peerId, name: 'C again', addrs: [] }); // saw the removal
    expect(g.fold().members.get(c.peerId)).toMatchObject({ removed: false, name: 'C again' });
  });

  it('a removed admin’s operations made concurrently with (or backdated before) its removal are discarded', async () => {
    const g = await mesh();
    await g.op(a, { kind: 'admin', peer: b.peerId, admin: true });
    const base = g.heads();
    await g.op(a, { kind: 'remove', peer: b.peerId }, base, Date.now() + 1000);
    await g.op(b, { kind: 'add', peer: d.peerId, name: 'D', addrs: [] }, base, 1); // backdated
    await g.op(b, { kind: 'remove', peer: a.peerId }, base, 1);
    const f = g.fold();
    expect(f.members.has(d.peerId)).toBe(false);
    expect(f.members.get(a.peerId)?.removed).toBe(false);
    expect(f.members.get(b.peerId)?.removed).toBe(true);
  });

  it('ignores a second root, operations of another root and entries with missing history', async () => {
    const g = await mesh();
    const other = new Graph();
    const fake = await other.op(c, { kind: 'genesis', peer: c.peerId, name: 'C', addrs: [] }, []);
    const forged = await other.op(c, { kind: 'add', peer: d.peerId, name: 'D', addrs: [] }, [fake]);
    for (const [id, e] of other.entries) g.entries.set(id, e);
    const f = g.fold();
    expect(f.members.has(d.peerId)).toBe(false);
    expect(f.rejected.find((r) => r.id === forged)?.reason).toBe('descends from a refused operation');
  });

  it('binds an actor id to one member only', async () => {
    const g = await mesh();
    await g.op(b, { kind: 'update', peer: b.peerId, name: 'B', addrs: [], actor: 'ab'.repeat(16) });
    await g.op(c, { kind: 'update', peer: c.peerId, name: 'C', addrs: [], actor: 'ab'.repeat(16) });
    const f = g.fold();
    expect(f.members.get(b.peerId)?.actor).toBe('ab'.repeat(16));
    expect(f.members.get(c.peerId)?.actor).toBeNull();
  });

  it('checks entries: a changed field or a signature by someone else is refused', async () => {
    const { id, entry } = await signOp(a, MESH, { kind: 'add', peer: b.peerId, name: 'B', addrs: [] }, []);
    expect((await checkEntry(id, JSON.stringify(entry), MESH)).ok).toBe(true);
    expect(await checkEntry(id, JSON.stringify({ ...entry, op: { ...entry.op, name: 'X' } }), MESH)).toMatchObject({ ok: false });
    expect(await checkEntry(id, JSON.stringify(entry), 'other-mesh')).toMatchObject({ ok: false, reason: 'belongs to another mesh' });
    const bySomeoneElse = await signOp(b, MESH, { kind: 'add', peer: b.peerId, name: 'B', addrs: [] }, []);
    expect(await checkEntry(id, JSON.stringify({ op: entry.op, sig: bySomeoneElse.entry.sig }), MESH)).toMatchObject({ ok: false });
  });
});
