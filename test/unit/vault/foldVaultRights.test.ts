import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldVaultRights, hasAccess } from '../../../src/vault/foldVaultRights.js';
import { checkVaultOp, signVaultOp, type SignedVaultOp, type VaultOpBody } from '../../../src/vault/vaultOps.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

const DIGEST = 'a'.repeat(64);
let owner: Signer, bob: Signer, eve: Signer;
beforeAll(async () => {
  [owner, bob, eve] = await Promise.all([newSigner(), newSigner(), newSigner()]);
});

function log() {
  const ops = new Map<string, SignedVaultOp>();
  return {
    ops,
    async add(signer: Signer, body: VaultOpBody, at: number): Promise<string> {
      const { id, entry } = await signVaultOp(signer, 'v1', body, at);
      ops.set(id, entry);
      return id;
    },
  };
}

describe('vault rights fold', () => {
  it('a non-member write and a readonly write are rejected with reasons; a writer is accepted', async () => {
    const l = log();
    await l.add(owner, { kind: 'create' }, 1);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'read', overrides: [] }, 2);
    const bobWrite = await l.add(bob, { kind: 'write', name: 'db', digest: DIGEST }, 3);
    const eveWrite = await l.add(eve, { kind: 'write', name: 'db', digest: DIGEST }, 4);
    const eveGrant = await l.add(eve, { kind: 'grant', peer: eve.peerId, level: 'admin', overrides: [] }, 5);
    const ownerWrite = await l.add(owner, { kind: 'write', name: 'db', digest: DIGEST }, 6);
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
    await l.add(owner, { kind: 'create' }, 1);
    const grant = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [] }, 2);
    const before = await l.add(bob, { kind: 'write', name: 'a', digest: DIGEST }, 3);
    await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [grant] }, 4);
    const after = await l.add(bob, { kind: 'write', name: 'a', digest: DIGEST }, 5);
    const reversed = new Map([...l.ops].reverse());
    for (const ops of [l.ops, reversed]) {
      const r = foldVaultRights(ops);
      expect(r.rejected.map((x) => x.id)).toEqual([after]);
      expect(r.accepted.some((e) => e.sig === l.ops.get(before)!.sig)).toBe(true);
      expect(r.members.has(bob.peerId)).toBe(false);
    }
  });

  it('a revocation wins over a concurrent grant (even one dated later); a grant naming it in overrides re-admits', async () => {
    const admin2 = await newSigner();
    const l = log();
    await l.add(owner, { kind: 'create' }, 1);
    await l.add(owner, { kind: 'grant', peer: admin2.peerId, level: 'admin', overrides: [] }, 2);
    const grant = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [] }, 3);
    const revoke = await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [grant] }, 10);
    const concurrent = await l.add(admin2, { kind: 'grant', peer: bob.peerId, level: 'admin', overrides: [] }, 11);
    let r = foldVaultRights(l.ops);
    expect(r.rejected.find((x) => x.id === concurrent)?.reason).toMatch(/revocation/);
    expect(r.members.has(bob.peerId)).toBe(false);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'read', overrides: [revoke] }, 12);
    r = foldVaultRights(l.ops);
    expect(r.members.get(bob.peerId)?.level).toBe('read');
  });

  it('a concurrent grant dated before the revocation (not named in its ends) also loses', async () => {
    const admin2 = await newSigner();
    const l = log();
    await l.add(owner, { kind: 'create' }, 1);
    await l.add(owner, { kind: 'grant', peer: admin2.peerId, level: 'admin', overrides: [] }, 2);
    const seen = await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'read', overrides: [] }, 3);
    const unseen = await l.add(admin2, { kind: 'grant', peer: bob.peerId, level: 'write', overrides: [] }, 9);
    await l.add(owner, { kind: 'revoke', peer: bob.peerId, ends: [seen] }, 10);
    const r = foldVaultRights(l.ops);
    expect(r.rejected.map((x) => x.id)).toEqual([unseen]);
    expect(r.members.has(bob.peerId)).toBe(false);
  });

  it('an expired grant stops reads and writes', async () => {
    const l = log();
    await l.add(owner, { kind: 'create' }, 1);
    await l.add(owner, { kind: 'grant', peer: bob.peerId, level: 'write', expires: 100, overrides: [] }, 2);
    const inTime = await l.add(bob, { kind: 'write', name: 'a', digest: DIGEST }, 50);
    const late = await l.add(bob, { kind: 'write', name: 'a', digest: DIGEST }, 100);
    const r = foldVaultRights(l.ops);
    expect(r.rejected.map((x) => [x.id, x.reason])).toEqual([[late, 'grant expired']]);
    expect(r.rejected.some((x) => x.id === inTime)).toBe(false);
    expect(hasAccess(r.members.get(bob.peerId), 'read', 99)).toBe(true);
    expect(hasAccess(r.members.get(bob.peerId), 'read', 100)).toBe(false);
  });

  it('an operation whose author was changed fails its signature check', async () => {
    const { entry } = await signVaultOp(bob, 'v1', { kind: 'write', name: 'a', digest: DIGEST }, 5);
    expect((await checkVaultOp(entry)).ok).toBe(true);
    const forged = { ...entry, op: { ...entry.op, by: owner.peerId } };
    expect(await checkVaultOp(forged)).toEqual({ ok: false, reason: `bad signature for ${owner.peerId}` });
  });
});
