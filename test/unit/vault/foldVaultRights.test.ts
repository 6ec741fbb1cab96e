import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldVaultRights, hasAccess, vaultIdOf } from '../../../src/vault/foldVaultRights.js';
import { checkVaultOp, signVaultOp, type SignedVaultOp, type VaultOpBody } from '../../../src/vault/vaultOps.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

const SALT = 'a'.repeat(32);
const CREATE = { kind: 'create', name: 'ops', type: 'team', salt: SALT } as const;
const W = (name: string): VaultOpBody => ({ kind: 'write', name, g: null, entry: null });
let owner: Signer, bob: Signer, eve: Signer;
let VAULT: string;
beforeAll(async () => {
  [owner, bob, eve] = await Promise.all([newSigner(), newSigner(), newSigner()]);
  VAULT = vaultIdOf(owner.peerId, SALT);
});

function log() {
  const ops = new Map<string, SignedVaultOp>();
  return {
    ops,
    async add(signer: Signer, body: VaultOpBody, at: number): Promise<string> {
      const { id, entry } = await signVaultOp(signer, VAULT, body, at);
      ops.set(id, entry);
      return id;
    },
  };
}

describe('vault rights fold', () => {
  it('a non-member write and a readonly write are rejected with reasons; a writer is accepted', async () => {
    const l = log();
    await l.add(owner, CREATE, 1);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'read', overrides: [], wraps: {} }, 2);
    const bobWrite = await l.add(bob, W('db'), 3);
    const eveWrite = await l.add(eve, W('db'), 4);
    const eveGrant = await l.add(eve, { kind: 'grant', peer: eve.peerId, level: 'admin', overrides: [], wraps: {} }, 5);
    const ownerWrite = await l.add(owner, W('db'), 6);
    const r = foldVaultRights(l.ops);
    const reasons = new Map(r.rejected.map((x) => [x.id, x.reason]));
    expect(reasons.get(bobWrite)).toBe('read-only member writing');
    expect(reasons.get(eveWrite)).toMatch(/not a member/);
    expect(reasons.get(eveGrant)).toMatch(/not a member/);
    expect(reasons.has(ownerWrite)).toBe(false);
    expect(r.members.has(eve.peerId)).toBe(false);
  });

  it('a write signed after revocation is rejected, whatever order the ops arrive in', async () => {
    const l = log();
    await l.add(owner, CREATE, 1);
    const grant = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [], wraps: {} }, 2);
    const before = await l.add(bob, W('a'), 3);
    await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [grant], head: before }, 4);
    const after = await l.add(bob, W('a'), 5);
    const reversed = new Map([...l.ops].reverse());
    for (const ops of [l.ops, reversed]) {
      const r = foldVaultRights(ops);
      expect(r.rejected.map((x) => x.id)).toEqual([after]);
      expect(r.accepted.some(([, e]) => e.sig === l.ops.get(before)!.sig)).toBe(true);
      expect(r.members.has(bob.peerId)).toBe(false);
    }
  });

  it('a revocation wins over a concurrent grant (even one dated later); a grant naming it in overrides re-admits', async () => {
    const admin2 = await newSigner();
    const l = log();
    await l.add(owner, CREATE, 1);
    await l.add(owner, { kind: 'grant', peer: admin2.peerId, level: 'admin', overrides: [], wraps: {} }, 2);
    const grant = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [], wraps: {} }, 3);
    const revoke = await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [grant], head: null }, 10);
    const concurrent = await l.add(admin2, { kind: 'grant', peer: bob.peerId, level: 'admin', overrides: [], wraps: {} }, 11);
    let r = foldVaultRights(l.ops);
    expect(r.rejected.find((x) => x.id === concurrent)?.reason).toMatch(/revocation/);
    expect(r.members.has(bob.peerId)).toBe(false);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'read', overrides: [revoke], wraps: {} }, 12);
    r = foldVaultRights(l.ops);
    expect(r.members.get(bob.peerId)?.level).toBe('read');
  });

  it('a concurrent grant dated before the revocation (not named in its ends) also loses', async () => {
    const admin2 = await newSigner();
    const l = log();
    await l.add(owner, CREATE, 1);
    await l.add(owner, { kind: 'grant', peer: admin2.peerId, level: 'admin', overrides: [], wraps: {} }, 2);
    const seen = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'read', overrides: [], wraps: {} }, 3);
    const unseen = await l.add(admin2, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [], wraps: {} }, 9);
    await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [seen], head: null }, 10);
    const r = foldVaultRights(l.ops);
    expect(r.rejected.map((x) => x.id)).toEqual([unseen]);
    expect(r.members.has(bob.peerId)).toBe(false);
  });

  it('an expired grant stops reads and writes', async () => {
    const l = log();
    await l.add(owner, CREATE, 1);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', expires: 100, overrides: [], wraps: {} }, 2);
    const inTime = await l.add(bob, W('a'), 50);
    const late = await l.add(bob, W('a'), 100);
    const r = foldVaultRights(l.ops);
    expect(r.rejected.map((x) => [x.id, x.reason])).toEqual([[late, 'grant expired']]);
    expect(r.rejected.some((x) => x.id === inTime)).toBe(false);
    expect(hasAccess(r.members.get(bob.peerId), 'read', 99)).toBe(true);
    expect(hasAccess(r.members.get(bob.peerId), 'read', 100)).toBe(false);
  });

  it('a write the revoked host backdates before its revocation is off the chain the revocation saw, and refused', async () => {
    const l = log();
    const ops = l.ops;
    await l.add(owner, CREATE, 1);
    const grant = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [], wraps: {} }, 2);
    const { id: seen, entry: seenEntry } = await signVaultOp(bob, VAULT, W('a'), 3, null);
    ops.set(seen, seenEntry);
    await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [grant], head: seen }, 10);
    // Signed after the revocation, dated before it, chained on the last write the revoker saw.
    const { id: backdated, entry } = await signVaultOp(bob, VAULT, W('b'), 5, seen);
    ops.set(backdated, entry);
    const r = foldVaultRights(ops);
    expect(r.rejected.map((x) => x.id)).toEqual([backdated]);
    expect(r.rejected[0]!.reason).toMatch(/revocation/);
  });

  it('an operation by a host removed from the mesh counts for nothing from its removal on', async () => {
    const l = log();
    await l.add(owner, CREATE, 1);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [], wraps: {} }, 2);
    const before = await l.add(bob, W('a'), 3);
    const after = await l.add(bob, W('a'), 8);
    const r = foldVaultRights(l.ops, { removedAt: (p) => (p === bob.peerId ? 5 : undefined) });
    expect(r.rejected.map((x) => x.id)).toEqual([after]);
    expect(r.accepted.some(([id]) => id === before)).toBe(true);
    expect(r.members.has(bob.peerId)).toBe(false);
  });

  it('a create that does not hash to the vault id (a takeover attempt, even dated first) is refused', async () => {
    const l = log();
    const fake = await l.add(eve, CREATE, 0);
    await l.add(owner, CREATE, 1);
    const r = foldVaultRights(l.ops);
    expect(r.creator).toBe(owner.peerId);
    expect(r.rejected.find((x) => x.id === fake)?.reason).toMatch(/hash/);
  });

  it('an operation whose author was changed fails its signature check', async () => {
    const { entry } = await signVaultOp(bob, VAULT, W('a'), 5);
    expect((await checkVaultOp(entry)).ok).toBe(true);
    const forged = { ...entry, op: { ...entry.op, by: owner.peerId } };
    expect(await checkVaultOp(forged)).toEqual({ ok: false, reason: `bad signature for ${owner.peerId}` });
  });
});
