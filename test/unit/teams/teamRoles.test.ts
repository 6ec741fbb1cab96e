import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_GUEST_TTL_MS } from '../../../src/teams/constants.js';
import { foldMembership } from '../../../src/trust/foldMembership.js';
import { signOp, type OpBody, type SignedOp } from '../../../src/trust/membershipOps.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';

const MESH = 'mesh-1';
const T0 = 1_800_000_000_000;

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

class Graph {
  readonly entries = new Map<string, SignedOp>();
  root = '';
  private clock = T0;
  async op(signer: Signer, body: OpBody, at = (this.clock += 1000)): Promise<string> {
    const prev = this.entries.size ? foldMembership(this.entries, this.root).heads : [];
    const { id, entry } = await signOp(signer, MESH, body, prev, at);
    if (body.kind === 'genesis') this.root = id;
    this.entries.set(id, entry);
    return id;
  }
  fold() {
    return foldMembership(this.entries, this.root);
  }
  reason(id: string): string | undefined {
    return this.fold().rejected.find((r) => r.id === id)?.reason;
  }
  role(peer: string, team: string): string | undefined {
    return this.fold().members.get(peer)?.teams[team]?.role;
  }
}

describe('team roles in the membership fold', () => {
  let admin: Signer, owner: Signer, tadmin: Signer, member: Signer, other: Signer;
  beforeAll(async () => {
    [admin, owner, tadmin, member, other] = await Promise.all([newSigner(), newSigner(), newSigner(), newSigner(), newSigner()]);
  });

  /** A mesh (admin = mesh admin) where `owner` created team ops and made tadmin its admin and member a member. */
  async function mesh(): Promise<Graph> {
    const g = new Graph();
    await g.op(admin, { kind: 'genesis', peer: admin.peerId, name: 'admin', addrs: [] });
    for (const [s, name] of [[owner, 'owner'], [tadmin, 'tadmin'], [member, 'member'], [other, 'other']] as const) await g.op(admin, { kind: 'add', peer: s.peerId, name, addrs: [] });
    await g.op(owner, { kind: 'team', peer: owner.peerId, team: 'ops', role: 'owner' });
    await g.op(owner, { kind: 'team', peer: tadmin.peerId, team: 'ops', role: 'admin' });
    await g.op(tadmin, { kind: 'team', peer: member.peerId, team: 'ops', role: 'member' });
    return g;
  }

  it('a member creates a team nobody holds as its owner; its owner and admins grant roles', async () => {
    const g = await mesh();
    expect(g.fold().rejected).toEqual([]);
    expect(g.role(owner.peerId, 'ops')).toBe('owner');
    expect(g.role(tadmin.peerId, 'ops')).toBe('admin');
    expect(g.role(member.peerId, 'ops')).toBe('member');
  });

  it('a role change by someone who is neither an owner/admin of the team nor a mesh admin does not count', async () => {
    const g = await mesh();
    const selfPromotion = await g.op(member, { kind: 'team', peer: member.peerId, team: 'ops', role: 'admin' });
    const outsider = await g.op(other, { kind: 'team', peer: other.peerId, team: 'ops', role: 'owner' });
    const demote = await g.op(member, { kind: 'team', peer: tadmin.peerId, team: 'ops', role: 'readonly' });
    expect(g.reason(selfPromotion)).toBe('only an owner or admin of team ops, or a mesh admin, changes roles in it');
    expect(g.reason(outsider)).toBe('only an owner or admin of team ops, or a mesh admin, changes roles in it');
    expect(g.reason(demote)).toBe('only an owner or admin of team ops, or a mesh admin, changes roles in it');
    expect(g.role(member.peerId, 'ops')).toBe('member');
    expect(g.role(tadmin.peerId, 'ops')).toBe('admin');
    expect(g.role(other.peerId, 'ops')).toBeUndefined();
  });

  it('a team admin neither makes owners nor changes an owner; the last owner stays unless a mesh admin acts', async () => {
    const g = await mesh();
    const makeOwner = await g.op(tadmin, { kind: 'team', peer: member.peerId, team: 'ops', role: 'owner' });
    const demoteOwner = await g.op(tadmin, { kind: 'team', peer: owner.peerId, team: 'ops', role: 'member' });
    const lastOwnerLeaves = await g.op(owner, { kind: 'team', peer: owner.peerId, team: 'ops', role: 'none' });
    expect(g.reason(makeOwner)).toBe('only an owner of team ops (or a mesh admin) makes or changes an owner');
    expect(g.reason(demoteOwner)).toBe('only an owner of team ops (or a mesh admin) makes or changes an owner');
    expect(g.reason(lastOwnerLeaves)).toBe('would leave team ops without an owner');
    await g.op(admin, { kind: 'team', peer: owner.peerId, team: 'ops', role: 'readonly' });
    expect(g.role(owner.peerId, 'ops')).toBe('readonly');
  });

  it('guests must expire, within the longest allowed grant; other roles never carry an expiry', async () => {
    const g = await mesh();
    const noExpiry = await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'guest' });
    const past = await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'guest', expires_at: T0 });
    const tooLong = await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'guest', expires_at: T0 + 2 * MAX_GUEST_TTL_MS });
    const memberExpiry = await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'member', expires_at: T0 + 3_600_000 });
    expect(g.reason(noExpiry)).toBe('a guest grant must say when it expires (expires_at)');
    expect(g.reason(past)).toBe('a guest grant that has already expired');
    expect(g.reason(tooLong)).toBe('a guest grant longer than the longest allowed; make it a member');
    expect(g.reason(memberExpiry)).toBe('only guest grants expire');
    const ok = await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'guest', expires_at: T0 + 86_400_000 });
    expect(g.reason(ok)).toBeUndefined();
    expect(g.fold().members.get(other.peerId)?.teams['ops']).toMatchObject({ role: 'guest', expires_at: T0 + 86_400_000, by: tadmin.peerId });
  });

  it('a team admin demoted to readonly manages nothing after the demotion', async () => {
    const g = await mesh();
    await g.op(owner, { kind: 'team', peer: tadmin.peerId, team: 'ops', role: 'readonly' });
    const late = await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'member' });
    expect(g.reason(late)).toBe('only an owner or admin of team ops, or a mesh admin, changes roles in it');
  });

  it('the fold is the same whatever order the entries arrive in', async () => {
    const g = await mesh();
    await g.op(member, { kind: 'team', peer: member.peerId, team: 'ops', role: 'admin' });
    await g.op(tadmin, { kind: 'team', peer: other.peerId, team: 'ops', role: 'guest', expires_at: T0 + 86_400_000 });
    const reversed = new Map([...g.entries].reverse());
    const a = g.fold();
    const b = foldMembership(reversed, g.root);
    expect(JSON.stringify([...b.members].sort())).toBe(JSON.stringify([...a.members].sort()));
    expect(b.rejected.map((r) => r.id).sort()).toEqual(a.rejected.map((r) => r.id).sort());
  });
});
