import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ChangeSigner } from '../../src/authorship/changeSignatures.js';
import { silentLogger } from '../../src/log.js';
import { DocStore } from '../../src/store/DocStore.js';
import { tmpHome } from './tmpHome.js';

export interface TempStore {
  home: ReturnType<typeof tmpHome>;
  store: DocStore;
  /** Closes the store (if still open) and removes the home. */
  dispose(): Promise<void>;
}

/** A real DocStore (LevelDB) in a fresh temporary home. */
export async function openTempStore(opts: { actorId?: string; signer?: ChangeSigner } = {}): Promise<TempStore> {
  const home = tmpHome();
  const store = new DocStore(join(home.dir, 'db'), silentLogger(), opts.actorId, opts.signer);
  await store.open();
  return {
    home,
    store,
    async dispose() {
      if (store.isOpen) await store.close();
      home.cleanup();
    },
  };
}

/**
 * A fresh temporary store for each test of the enclosing describe: `const t = useTempStore();`,
 * then `t.store` and `t.home` inside the tests (set by a beforeEach, disposed by an afterEach).
 */
export function useTempStore(opts: { actorId?: string } = {}): { readonly store: DocStore; readonly home: TempStore['home'] } {
  let current: TempStore | undefined;
  beforeEach(async () => {
    current = await openTempStore(opts);
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  const now = (): TempStore => {
    if (!current) throw new Error('useTempStore: the store exists only inside a test');
    return current;
  };
  return {
    get store() {
      return now().store;
    },
    get home() {
      return now().home;
    },
  };
}
