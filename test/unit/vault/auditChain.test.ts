import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain, type SignedAuditEntry } from '../../../src/vault/auditChain.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';

let host: Signer;
let chain: SignedAuditEntry[];
beforeAll(async () => {
  const key = await generateKeyPair('Ed25519');
  host = signerFromKey(key, peerIdFromPrivateKey(key).toString());
  chain = [];
  for (let i = 0; i < 5; i += 1) {
    chain.push(await appendAudit(host, chain.at(-1) ?? null, { actor: 'agent-a', action: 'read', vault: 'v1', secret: `s${i}`, reason: 'deploy', at: 1000 + i }));
  }
});

describe('audit chain', () => {
  it('an intact chain verifies', async () => {
    expect(await verifyAuditChain(host.peerId, chain, 4)).toEqual([]);
  });
  it('a forged entry is reported at its position', async () => {
    const forged = chain.map((e, i) => (i === 2 ? { ...e, entry: { ...e.entry, reason: 'nothing to see' } } : e));
    expect(await verifyAuditChain(host.peerId, forged)).toContainEqual({ host: host.peerId, position: 2, problem: 'forged' });
  });
  it('a dropped entry is reported at its position', async () => {
    const dropped = chain.filter((_, i) => i !== 1);
    expect(await verifyAuditChain(host.peerId, dropped)).toEqual([{ host: host.peerId, position: 1, problem: 'dropped' }]);
  });
  it('a reordered pair is reported', async () => {
    const reordered = [chain[0], chain[2], chain[1], chain[3], chain[4]];
    const problems = await verifyAuditChain(host.peerId, reordered);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.problem === 'reordered')).toBe(true);
    expect(problems[0]?.position).toBe(1);
  });
  it('a truncated chain is reported against the head seen before', async () => {
    expect(await verifyAuditChain(host.peerId, chain.slice(0, 3), 4)).toEqual([{ host: host.peerId, position: 3, problem: 'truncated' }]);
  });
  it('an entry of another host inside this chain is reported', async () => {
    const key = await generateKeyPair('Ed25519');
    const other = signerFromKey(key, peerIdFromPrivateKey(key).toString());
    const theirs = await appendAudit(other, chain[1]!, { actor: 'x', action: 'read', vault: 'v1', secret: 's', reason: 'r', at: 2000 });
    const problems = await verifyAuditChain(host.peerId, [...chain.slice(0, 2), theirs, ...chain.slice(2)]);
    expect(problems[0]).toEqual({ host: host.peerId, position: 2, problem: 'foreign' });
  });
});
