import * as A from '@automerge/automerge';
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { homePaths } from '../../src/home.js';
import { readIdentity } from '../../src/identity/HostIdentity.js';
import { silentLogger } from '../../src/log.js';
import { MEMBERSHIP_DOC_ID, membershipDocView } from '../../src/mesh/Membership.js';
import { readMeshSecrets } from '../../src/mesh/MeshSecrets.js';
import { DocStore } from '../../src/store/DocStore.js';
import { signTombstone } from '../../src/sync/tombstones.js';
import { foldMembership } from '../../src/trust/foldMembership.js';
import { checkEntry, signOp, type OpBody, type SignedOp } from '../../src/trust/membershipOps.js';
import { signerFromKey } from '../../src/trust/signing.js';

/**
 * What an attacker holding a stopped host's files can do with the project's own modules: open
 * its store, sign with its key, write whatever it likes. Used by the trust tests.
 */
export async function withHostFiles<T>(home: string, fn: (ctx: { store: DocStore; key: ReturnType<typeof privateKeyFromProtobuf>; peerId: string; actorId: string; meshId: string; root: string | undefined }) => Promise<T>): Promise<T> {
  const paths = homePaths(home);
  const identity = await readIdentity(paths.identity);
  const secrets = await readMeshSecrets(paths.mesh);
  if (!identity?.p2pKey || !secrets) throw new Error(`${home} has no identity or mesh`);
  const key = privateKeyFromProtobuf(Buffer.from(identity.p2pKey, 'base64'));
  const store = new DocStore(paths.db, silentLogger(), identity.actorId);
  await store.open();
  try {
    return await fn({ store, key, peerId: peerIdFromPrivateKey(key).toString(), actorId: identity.actorId, meshId: secrets.meshId, root: secrets.root });
  } finally {
    await store.close();
  }
}

/** Signs membership operations with the host's key, naming its current heads, and writes them into its store. */
export async function forgeMembershipOps(home: string, bodies: OpBody[]): Promise<string[]> {
  return withHostFiles(home, async ({ store, key, peerId, actorId, meshId, root }) => {
    const doc = await store.load<Record<string, unknown>>('mesh', MEMBERSHIP_DOC_ID);
    const entries = new Map<string, SignedOp>();
    for (const [id, text] of Object.entries(doc ?? {})) {
      const check = await checkEntry(id, String(text), meshId);
      if (check.ok) entries.set(id, check.entry);
    }
    let prev = foldMembership(entries, root).heads;
    const signer = signerFromKey(key, peerId);
    const ids: string[] = [];
    const writes: [string, string][] = [];
    for (const body of bodies) {
      const op = await signOp(signer, meshId, body, prev);
      writes.push([op.id, op.text]);
      ids.push(op.id);
      prev = [op.id];
    }
    await store.mutate<Record<string, unknown>>('mesh', MEMBERSHIP_DOC_ID, (current) => {
      const d = A.change(current ?? A.init<Record<string, unknown>>({ actor: actorId }), (x) => {
        for (const [id, text] of writes) x[id] = new A.ImmutableString(text);
      });
      return { doc: d, view: membershipDocView(d), scope: 'mesh' };
    });
    return ids;
  });
}

/** Erases a document in the host's store with a tombstone signed by `signerHome`'s key (another host's files). */
export async function forgeTombstone(home: string, signerHome: string, collection: 'memories', id: string, erasedAt: number): Promise<void> {
  const { key, peerId } = await withHostFiles(signerHome, (ctx) => Promise.resolve({ key: ctx.key, peerId: ctx.peerId }));
  const tomb = await signTombstone(key, peerId, collection, id, { erasedAt, machine: 'forged', agent: 'forged' });
  await withHostFiles(home, async ({ store }) => {
    await store.erase(collection, id, tomb);
  });
}

/** Rewrites a memory's scope in the host's store, as that host's actor (a compromised member widening it). */
export async function forgeScope(home: string, id: string, scope: 'mesh' | 'team'): Promise<void> {
  const { PROJECTORS } = await import('../../src/sync/projectors.js');
  const projector = PROJECTORS.memories!;
  await withHostFiles(home, async ({ store }) => {
    await store.mutate<{ scope: string }>('memories', id, (current) => {
      if (!current) throw new Error(`no memory ${id} on ${home}`);
      const doc = A.change(current, (d) => {
        d.scope = scope;
      });
      const view = projector.view(doc);
      return { doc, view, scope: projector.scope(view) };
    });
  });
}
