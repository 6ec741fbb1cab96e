import { AUTHORSHIP_LEGACY_WINDOW_DAYS } from '../constants.js';
import type { DocStore } from '../store/DocStore.js';

const MIGRATED_KEY = 'authorship/migrated';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When this host stops accepting unsigned legacy changes (epoch ms): the legacy window counted
 * from the first start with signed authorship, recorded in the store so restarts keep it.
 */
export async function legacyWindowEnd(store: DocStore, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let migrated = await store.getLocal<number>(MIGRATED_KEY);
  if (migrated === undefined) {
    migrated = Date.now();
    await store.putLocal(MIGRATED_KEY, migrated);
  }
  const override = Number(env['MESH_AUTHORSHIP_LEGACY_DAYS']);
  const days = env['MESH_AUTHORSHIP_LEGACY_DAYS'] !== undefined && Number.isFinite(override) && override >= 0 ? override : AUTHORSHIP_LEGACY_WINDOW_DAYS;
  return migrated + days * DAY_MS;
}
