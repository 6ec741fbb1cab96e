import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { LEGACY_MEMBERS_DOC_ID, Membership, membershipDocId, membershipDocView } from '../../../src/mesh/Membership.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { TOMBSTONE_GRACE_AFTER_REMOVAL_MS } from '../../../src/trust/constants.js';
import { signerFromKey, type Signer } from '../../../src/trust/signing.js';
import { tmpHome } from '../../helpers/tmpHome.js';

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

function membership(store: DocStore, signer: Signer, founder: boolean, actorId: string) {
  let root: string | undefined;
  const m = new Membership({ store, signer, meshId: 'mesh-1', actorId, founder, root: () => root, setRoot: (id) => Promise.resolve(void (root = id)), logger: silentLogger() });
  return { m, root: () => root };
}

describe('Membership (real LevelDB)', () => {
  let homes: ReturnType<typeof tmpHome>[];
  let stores: DocStore[];
  beforeEach(() => {
    homes = [];
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    for (const h of homes) h.cleanup();
  });
  async function openStore(): Promise<DocStore> {
    const home = tmpHome();
    homes.push(home);
    const store = new DocStore(`${home.dir}/db`, silentLogger());
    await store.open();
    stores.push(store);
    return store;
  }

  it('migrates an unsigned mesh: the creator signs a checkpoint of the current members and their teams; another host adopts that root', async () => {
    const [founder, bravo, gone] = await Promise.all([newSigner(), newSigner(), newSigner()]);
    const store = await openStore();
    const legacy = {
      [founder.peerId]: { name: 'alpha', addrs: [], teams: ['ops'], added_by: 'alpha', added_at: 1, removed: false, removed_at: null },
      [bravo.peerId]: { name: 'bravo', addrs: ['/ip4/127.0.0.1/tcp/1'], teams: ['ops'], added_by: 'alpha', added_at: 2, removed: false, removed_at: null },
      [gone.peerId]: { name: 'gone', addrs: [], teams: [], added_by: 'alpha', added_at: 3, removed: true, removed_at: 4 },
    };
    await store.mutate<Record<string, unknown>>('mesh', LEGACY_MEMBERS_DOC_ID, () => {
      const doc = A.from<Record<string, unknown>>(legacy);
      return { doc, view: membershipDocView(doc), scope: 'mesh' };
    });
    const { m, root } = membership(store, founder, true, 'aa'.repeat(16));
    await m.start();
    expect(m.mode).toBe('legacy');
    await m.ensureSelf('alpha', []);
    expect(m.mode).toBe('signed');
    expect(root()).toMatch(/^[0-9a-f]{64}$/);
    expect(m.isAdmin(founder.peerId)).toBe(true);
    expect(m.get(bravo.peerId)).toMatchObject({ name: 'bravo', teams: ['ops'], admin: false, removed: false });
    expect(m.get(founder.peerId)?.actor).toBe('aa'.repeat(16));
    expect(m.isMember(gone.peerId)).toBe(false);

    // bravo's host, upgraded, receives the signed document and adopts its only root.
    const other = await openStore();
    const bytes = await store.load<unknown>('mesh', membershipDocId('mesh-1'));
    await other.mutate<unknown>('mesh', membershipDocId('mesh-1'), () => ({ doc: A.clone(bytes!), view: membershipDocView(bytes!), scope: 'mesh' }));
    const b = membership(other, bravo, false, 'bb'.repeat(16));
    await b.m.start();
    expect(b.root()).toBe(root());
    expect(b.m.isMember(bravo.peerId)).toBe(true);
    await expect(b.m.add(gone.peerId, { name: 'gone', addrs: [] })).rejects.toMatchObject({ code: 'NOT_AUTHORISED' });
  });

  // A commit landing while start() read the document used to be missed until the next commit:
  // start subscribed only after its read, so the membership stayed older than the store (#18's
  // relative, as CollectionViews had). Deterministic: the commit lands inside the adoption step.
  it('a membership change committed while start() reads is seen once start resolves', async () => {
    const [founder, bravo, charlie] = await Promise.all([newSigner(), newSigner(), newSigner()]);
    const store = await openStore();
    const { m } = membership(store, founder, true, 'aa'.repeat(16));
    await m.start();
    await m.ensureSelf('alpha', []);
    await m.add(bravo.peerId, { name: 'bravo', addrs: [] });
    const docId = membershipDocId('mesh-1');
    const withBravo = A.clone((await store.load<unknown>('mesh', docId))!);
    await m.add(charlie.peerId, { name: 'charlie', addrs: [] });
    const withCharlie = A.clone((await store.load<unknown>('mesh', docId))!);

    // bravo's host holds the document up to its own admission; charlie's arrives (replicated) during its start.
    const other = await openStore();
    await other.mutate<unknown>('mesh', docId, () => ({ doc: withBravo, view: membershipDocView(withBravo), scope: 'mesh' }));
    let root: string | undefined;
    const b = new Membership({
      store: other,
      signer: bravo,
      meshId: 'mesh-1',
      actorId: 'bb'.repeat(16),
      founder: false,
      root: () => root,
      setRoot: async (id) => {
        root = id;
        await other.mutate<unknown>('mesh', docId, (current) => {
          const doc = A.merge(A.clone(current!), withCharlie);
          return { doc, view: membershipDocView(doc), scope: 'mesh' };
        });
      },
      logger: silentLogger(),
    });
    await b.start();
    expect(b.isMember(bravo.peerId)).toBe(true);
    expect(b.isMember(charlie.peerId)).toBe(true);
  });

  it('a tombstone counts only while its signer was a member: none after its removal, none before its admission, old ones only within the grace window', async () => {
    const [founder, bravo] = await Promise.all([newSigner(), newSigner()]);
    const store = await openStore();
    const { m } = membership(store, founder, true, 'aa'.repeat(16));
    await m.start();
    await m.ensureSelf('alpha', []);
    await m.add(bravo.peerId, { name: 'bravo', addrs: [] });
    const added = m.get(bravo.peerId)!.added_at;
    expect(m.mayErase(bravo.peerId, added + 1)).toBe(true);
    expect(m.mayErase(bravo.peerId, added - 24 * 3_600_000)).toBe(false);
    await m.remove(bravo.peerId);
    const removedAt = m.get(bravo.peerId)!.removed_at!;
    expect(m.mayErase(bravo.peerId, removedAt + 1)).toBe(false);
    expect(m.mayErase(bravo.peerId, removedAt - 1, removedAt + 1000)).toBe(true);
    expect(m.mayErase(bravo.peerId, removedAt - 1, removedAt + TOMBSTONE_GRACE_AFTER_REMOVAL_MS + 1)).toBe(false);
    expect(m.mayErase((await newSigner()).peerId, removedAt)).toBe(false);
  });

  it('an entry deleted or rewritten in the document still counts: what counts is read from the whole history', async () => {
    const [founder, bravo] = await Promise.all([newSigner(), newSigner()]);
    const store = await openStore();
    const { m } = membership(store, founder, true, 'aa'.repeat(16));
    await m.start();
    await m.ensureSelf('alpha', []);
    await m.add(bravo.peerId, { name: 'bravo', addrs: [] });
    await m.remove(bravo.peerId);
    // A host holding these files deletes the removal and overwrites the add with garbage.
    await store.mutate<Record<string, unknown>>('mesh', membershipDocId('mesh-1'), (current) => {
      const doc = A.change(current!, (d) => {
        for (const key of Object.keys(d)) if (key !== Object.keys(d)[0]) delete d[key];
      });
      return { doc, view: membershipDocView(doc), scope: 'mesh' };
    });
    await m.refresh();
    expect(m.get(bravo.peerId)?.removed).toBe(true);
  });
});
