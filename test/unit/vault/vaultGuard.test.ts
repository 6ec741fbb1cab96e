import * as A from '@automerge/automerge';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { canonicalJson, signerFromKey, type Signer } from '../../../src/trust/signing.js';
import { vaultIdOf } from '../../../src/vault/foldVaultRights.js';
import { VaultBook } from '../../../src/vault/VaultBook.js';
import { vaultDocView, vaultStoredView, withEntries } from '../../../src/vault/vaultDocs.js';
import { VaultGuard } from '../../../src/vault/VaultGuard.js';
import { signVaultOp, type VaultOpBody } from '../../../src/vault/vaultOps.js';
import { vaultState } from '../../../src/vault/vaultState.js';
import { tmpHome } from '../../helpers/tmpHome.js';

async function newSigner(): Promise<Signer> {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

type Doc = A.Doc<Record<string, unknown>>;
let admin: Signer, writer: Signer;
let vault: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  [admin, writer] = await Promise.all([newSigner(), newSigner()]);
  vault = vaultIdOf(admin.peerId, 'b'.repeat(32));
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Appends one signed op (dated after everything in the doc, chained on the author's last) to a doc, as that author's replica would. */
async function add(doc: Doc, signer: Signer, body: VaultOpBody): Promise<{ doc: Doc; id: string }> {
  const ops = new Map(Object.entries(vaultDocView(doc)).map(([k, v]) => [k, (JSON.parse(v) as { op: unknown; sig: string })] as const));
  const state = vaultState(vault, ops as never);
  const at = (state?.maxAt ?? 0) + 1;
  const signed = await signVaultOp(signer, vault, body, at, state?.heads.get(signer.peerId) ?? null);
  return { doc: withEntries(doc, undefined, [[signed.id, canonicalJson(signed.entry)]], 'vault'), id: signed.id };
}

/** A replica holding `doc`, with the guard at its apply point. */
async function replica(doc: Doc): Promise<VaultGuard> {
  const home = tmpHome('vault-guard-');
  const store = new DocStore(`${home.dir}/db`, silentLogger());
  await store.open();
  cleanups.push(async () => {
    await store.close();
    home.cleanup();
  });
  await store.mutate<Record<string, unknown>>('vaults', vault, () => ({ doc: A.clone(doc), view: vaultStoredView(doc), scope: 'mesh' }));
  return new VaultGuard({ store, book: new VaultBook(store), removedAt: () => undefined });
}

const offer = (guard: VaultGuard, from: Doc, to: Doc) => guard.check({ peer: 'relay', collection: 'vaults', id: vault, payload: { c: 'vaults', id: vault, heads: A.getHeads(to), changes: A.getChanges(from, to) } });

describe('VaultGuard: rights judged in each operation’s own past', () => {
  async function base(): Promise<{ doc: Doc; grant: string }> {
    let doc: Doc = A.init();
    ({ doc } = await add(doc, admin, { kind: 'create', name: 'ops', type: 'shared', salt: 'b'.repeat(32) }));
    const g = await add(doc, admin, { kind: 'grant', peer: writer.peerId, level: 'write', overrides: [], wraps: {} });
    return { doc: g.doc, grant: g.id };
  }

  it('a write made concurrently with its author’s revocation is stored (valid in its past) and set aside by the fold', async () => {
    const { doc: common, grant } = await base();
    const revoked = await add(A.clone(common), admin, { kind: 'revoke', peer: writer.peerId, ends: [grant], head: null });
    const written = await add(A.clone(common), writer, { kind: 'write', name: 'db', g: null, entry: null });
    const guard = await replica(revoked.doc);
    expect(await offer(guard, common, written.doc)).toEqual({ ok: true });
    const merged = A.merge(A.clone(revoked.doc), written.doc);
    const ops = new Map(Object.entries(vaultDocView(merged)).map(([k, v]) => [k, JSON.parse(v) as never]));
    const state = vaultState(vault, ops)!;
    expect(state.rejected.find((r) => r.id === written.id)?.reason).toMatch(/revocation/);
    expect(state.entries.has('db')).toBe(false);
  });

  it('a write signed after its author saw its revocation is refused at the apply point', async () => {
    const { doc: common, grant } = await base();
    const revoked = await add(A.clone(common), admin, { kind: 'revoke', peer: writer.peerId, ends: [grant], head: null });
    const afterwards = await add(A.clone(revoked.doc), writer, { kind: 'write', name: 'db', g: null, entry: null });
    const guard = await replica(revoked.doc);
    const verdict = await offer(guard, revoked.doc, afterwards.doc);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(/not a member of the vault \(or revoked\)/);
  });

  it('an entry rewritten, deleted or stored under another id is refused', async () => {
    const { doc } = await base();
    const guard = await replica(doc);
    const key = Object.keys(vaultDocView(doc))[0]!;
    const deleted = A.change(A.clone(doc), (d) => void delete d[key]);
    expect((await offer(guard, doc, deleted)).ok).toBe(false);
    const moved = A.change(A.clone(doc), (d) => void (d['f'.repeat(64)] = new A.ImmutableString(vaultDocView(doc)[key]!)));
    const verdict = await offer(guard, doc, moved);
    expect(!verdict.ok && verdict.reason).toMatch(/not its hash/);
  });
});
