import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { Membership } from '../../../src/mesh/Membership.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';
import { AuditLog } from '../../../src/vault/AuditLog.js';
import { newBoxKeyPair } from '../../../src/vault/boxKeys.js';
import { VaultBook } from '../../../src/vault/VaultBook.js';
import { VaultGuard } from '../../../src/vault/VaultGuard.js';
import { VaultService } from '../../../src/vault/VaultService.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/** Made-up vault ids per test: enough that one cache entry left per id shows. */
const N = 50;

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

/**
 * The vault caches hold vaults this host holds, nothing per made-up id: a peer offering forged
 * vault documents (each refused) or a caller naming ids that do not exist, for weeks, must not
 * grow them (each left one entry behind for the daemon's life).
 */
describe('vault caches keep nothing for vaults this host does not hold', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function openStore(): Promise<DocStore> {
    const home = tmpHome('vault-caches-');
    const store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
    cleanups.push(() => home.cleanup(), () => store.close());
    return store;
  }

  it(`${N} refused documents of made-up vaults from a peer leave no book behind`, async () => {
    const store = await openStore();
    const book = new VaultBook(store);
    const guard = new VaultGuard({ store, book, removedAt: () => undefined });
    for (let i = 0; i < N; i++) {
      const id = `v-made-up-${i}`;
      const doc = A.change(A.init<Record<string, unknown>>(), (d) => void (d['e'.repeat(64)] = new A.ImmutableString('not a signed operation')));
      const verdict = await guard.check({ peer: 'peer-x', collection: 'vaults', id, payload: { c: 'vaults', id, heads: A.getHeads(doc), changes: A.getAllChanges(doc) } });
      expect(verdict.ok).toBe(false);
      expect(book.version(id), `a book kept for ${id}`).toBe(-1);
    }
  });

  it(`${N} look-ups of made-up vault ids leave no cached state behind`, async () => {
    const store = await openStore();
    const signer = await newSigner();
    let root: string | undefined;
    const membership = new Membership({ store, signer, meshId: 'mesh-1', actorId: 'aa'.repeat(16), founder: true, root: () => root, setRoot: (id) => Promise.resolve(void (root = id)), logger: silentLogger() });
    await membership.start();
    await membership.ensureSelf('admin', []);
    const book = new VaultBook(store);
    const box = newBoxKeyPair();
    const vaults = new VaultService({ store, book, audit: new AuditLog(store, signer), signer, membership, boxKey: () => box, logger: silentLogger() });
    for (let i = 0; i < N; i++) await expect(vaults.resolve(`v-made-up-${i}`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(vaults.status().vaults).toBe(0);
  });
});
