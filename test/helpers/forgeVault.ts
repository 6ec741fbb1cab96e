import * as A from '@automerge/automerge';
import { homePaths } from '../../src/home.js';
import { signerFromKey } from '../../src/trust/signing.js';
import { openBoxKeyFile, readBoxKeyFile } from '../../src/vault/boxKeys.js';
import { unwrapKey } from '../../src/vault/generations.js';
import { openEntry } from '../../src/vault/sealedEntries.js';
import { VaultBook } from '../../src/vault/VaultBook.js';
import { auditDocId, vaultDocView, vaultStoredView, withEntries } from '../../src/vault/vaultDocs.js';
import { signVaultOp, type VaultOpBody } from '../../src/vault/vaultOps.js';
import { vaultState } from '../../src/vault/vaultState.js';
import { canonicalJson } from '../../src/trust/signing.js';
import { withHostFiles } from './forge.js';

/**
 * What a compromised member can do to vaults with its own stopped host's files and the project's
 * own modules: sign vault operations with its key (whatever its rights) and write them into its
 * store, rewrite audit chains in its copy, and try every key it holds on every sealed value.
 */
export async function forgeVaultOp(home: string, vault: string, body: VaultOpBody, at?: number): Promise<string> {
  return withHostFiles(home, async ({ store, key, peerId }) => {
    const ops = await new VaultBook(store).ops(vault);
    const state = vaultState(vault, ops);
    if (!state) throw new Error(`${home} holds no vault ${vault}`);
    const signed = await signVaultOp(signerFromKey(key, peerId), vault, body, at ?? state.maxAt + 1, state.heads.get(peerId) ?? null);
    await store.mutate<Record<string, unknown>>('vaults', vault, (current) => {
      const doc = withEntries(current, store.actor, [[signed.id, canonicalJson(signed.entry)]], 'vault');
      return { doc, view: vaultStoredView(doc), scope: 'mesh' };
    });
    return signed.id;
  });
}

/** Edits this host's copy of a host's audit chain (keys are zero-padded positions; undefined deletes). */
export async function tamperAuditChain(home: string, chainHost: string, edit: (entries: Record<string, string>) => Record<string, string | undefined>): Promise<void> {
  await withHostFiles(home, async ({ store }) => {
    const id = auditDocId(chainHost, 0); // the first document of the chain: positions 0 to AUDIT_SHARD_ENTRIES - 1
    await store.mutate<Record<string, unknown>>('vaults', id, (current) => {
      if (!current) throw new Error(`${home} holds no audit chain of ${chainHost}`);
      const now = vaultDocView(current);
      const changes = edit({ ...now });
      const doc = A.change(current, (d) => {
        for (const [k, v] of Object.entries(changes)) {
          if (v === undefined) delete d[k];
          else d[k] = new A.ImmutableString(v);
        }
      });
      return { doc, view: vaultStoredView(doc), scope: 'mesh' };
    });
  });
}

/** Every generation key this host's box key unwraps, and every value of the vault those keys open (as this host's files allow). */
export async function whatCanThisHostOpen(home: string, vault: string): Promise<{ generations: number[]; values: string[] }> {
  const file = await readBoxKeyFile(homePaths(home).boxKey);
  if (!file) throw new Error(`${home} has no box key`);
  const pair = openBoxKeyFile(file);
  return withHostFiles(home, async ({ store }) => {
    const ops = await new VaultBook(store).ops(vault);
    const keys = new Map<string, Uint8Array>();
    const generations: number[] = [];
    const values: string[] = [];
    // Every wrap in every operation, whoever it names: a host may try them all.
    for (const [id, { op }] of ops) {
      const wraps = op.kind === 'generation' ? Object.values(op.wraps) : op.kind === 'grant' ? Object.entries(op.wraps).map(([g, w]) => ({ ...w, g })) : [];
      for (const w of wraps) {
        const key = unwrapKey(w, pair.secretKey);
        const g = 'g' in w ? (w as { g: string }).g : id;
        if (key && !keys.has(g)) {
          keys.set(g, key);
          const gen = ops.get(g)?.op;
          generations.push(gen?.kind === 'generation' ? gen.gen : -1);
        }
      }
    }
    for (const [id, { op }] of ops) {
      const sealed = op.kind === 'write' && op.entry && op.g ? [[op.g, op.entry] as const] : op.kind === 'generation' ? Object.values(op.values).map((e) => [id, e] as const) : [];
      for (const [g, entry] of sealed) {
        const key = keys.get(g);
        if (!key) continue;
        try {
          values.push(openEntry(key, entry).value);
        } catch {
          // not this key
        }
      }
    }
    return { generations: generations.sort((a, b) => a - b), values };
  });
}
