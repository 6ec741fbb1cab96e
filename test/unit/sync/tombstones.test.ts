import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import * as A from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { signTombstone, verifyTombstone } from '../../../src/sync/tombstones.js';
import { tmpHome } from '../../helpers/tmpHome.js';

async function member(): Promise<{ key: PrivateKey; id: string }> {
  const key = await generateKeyPair('Ed25519');
  return { key, id: peerIdFromPrivateKey(key).toString() };
}

describe('signed tombstones', () => {
  it('verify only with the signer being a member and every signed field intact', async () => {
    const { key, id: by } = await member();
    const { id: other } = await member();
    const members = (p: string) => p === by || p === other;
    const tomb = await signTombstone(key, by, 'memories', 'id-1', { erasedAt: 1_700_000_000_000, machine: 'm', agent: 'a' });
    expect(await verifyTombstone('memories', 'id-1', tomb, members)).toBe(true);
    expect(await verifyTombstone('memories', 'id-2', tomb, members)).toBe(false);
    expect(await verifyTombstone('tasks', 'id-1', tomb, members)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, erasedAt: tomb.erasedAt + 1 }, members)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, by: other }, members)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', tomb, (p) => p === other)).toBe(false);
    // Membership is never erased, whoever signs: such a tombstone would take the members away everywhere.
    const onMembers = await signTombstone(key, by, 'mesh', 'membership', { erasedAt: 1_700_000_000_000, machine: 'm', agent: 'a' });
    expect(await verifyTombstone('mesh', 'membership', onMembers, members)).toBe(false);
    const { sig: _sig, ...unsigned } = tomb;
    expect(await verifyTombstone('memories', 'id-1', unsigned, members)).toBe(false);
  });

  it('reject garbage in the signer and signature fields without throwing', async () => {
    const { key, id: by } = await member();
    const tomb = await signTombstone(key, by, 'memories', 'id-1', { erasedAt: 1, machine: 'm', agent: 'a' });
    const anyone = () => true;
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, by: 'not-a-peer-id' }, anyone)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, sig: '!!not base64!!' }, anyone)).toBe(false);
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, sig: Buffer.alloc(64).toString('base64') }, anyone)).toBe(false);
    // A signature by another member's key under this member's name is a forgery.
    const forger = await member();
    const forged = await signTombstone(forger.key, by, 'memories', 'id-1', { erasedAt: 1, machine: 'm', agent: 'a' });
    expect(await verifyTombstone('memories', 'id-1', forged, anyone)).toBe(false);
    // Unsigned fields (machine, agent, reason) are informative only: changing them does not break the signature.
    expect(await verifyTombstone('memories', 'id-1', { ...tomb, reason: 'edited' }, anyone)).toBe(true);
  });

  describe('kept by the real store', () => {
    let home: ReturnType<typeof tmpHome>;
    let store: DocStore;
    beforeEach(async () => {
      home = tmpHome();
      store = new DocStore(`${home.dir}/db`, silentLogger());
      await store.open();
    });
    afterEach(async () => {
      await store.close();
      home.cleanup();
    });

    it('still verifies after erasure and a restart, as read back and as offered in the feed', async () => {
      const { key, id: by } = await member();
      const members = (p: string) => p === by;
      await store.mutate<{ text: string }>('memories', 'mem-1', () => {
        const doc = A.from({ text: 'to be erased' });
        return { doc, view: { text: 'to be erased' }, scope: 'mesh' };
      });
      const tomb = await signTombstone(key, by, 'memories', 'mem-1', { erasedAt: Date.now(), machine: 'desk', agent: 'test', reason: 'gdpr' });
      await store.erase('memories', 'mem-1', tomb);
      await store.close();
      store = new DocStore(`${home.dir}/db`, silentLogger());
      await store.open();

      const kept = await store.tombstone('memories', 'mem-1');
      expect(kept).toEqual(tomb);
      expect(await verifyTombstone('memories', 'mem-1', kept!, members)).toBe(true);
      const { entries } = await store.feedSince(0, 100);
      const entry = entries.find((e) => e.id === 'mem-1');
      expect(entry).toMatchObject({ collection: 'memories', heads: null });
      expect(await verifyTombstone('memories', 'mem-1', entry!.tomb!, members)).toBe(true);
      // The same tombstone offered for another document of the store does not verify.
      expect(await verifyTombstone('memories', 'mem-2', entry!.tomb!, members)).toBe(false);
    });
  });
});
