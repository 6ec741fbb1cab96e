import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { signTombstone, verifyTombstone } from '../../../src/sync/tombstones.js';

describe('signed tombstones', () => {
  it('verify only with the signer being a member and every signed field intact', async () => {
    const key = await generateKeyPair('Ed25519');
    const by = peerIdFromPrivateKey(key).toString();
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    const members = (p: string) => p === by || p === other;
    const tomb = await signTombstone(key, by, 'memories', 'id-1', { erasedAt: 1_700_000_000_000, machine: 'm', agent: 'a' });
    expect(await verifyTombstone('memories', 'id-1', tomb, members)).toBe(true);
    expect(await verifyTombstone('memories', 'id-2', tomb, members)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, erasedAt: tomb.erasedAt + 1 }, members)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, by: other }, members)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', tomb, (p) => p === other)).toBe(false);
    const { sig: _sig, ...unsigned } = tomb;
    expect(await verifyTombstone('memories', 'id-1', unsigned, members)).toBe(false);
  });
});
