/**
 * What `daemon.health` answers (and `mesh doctor` judges): each part of the daemon in a state a
 * person can act on. Built from small getters so each component reports for itself.
 */
export interface DaemonHealth {
  pid: number;
  uptime_s: number;
  /** The SQLite catalog and keyword index: `rebuilding` serves keyword-less results meanwhile. */
  index: { state: 'ok' | 'rebuilding' | 'failed'; detail: string };
  /** The embedding model and HNSW index. */
  vectors: { state: 'ok' | 'loading' | 'rebuilding' | 'disabled' | 'failed'; detail: string };
  replication: { running: boolean; error: string | null; listening: string[]; members: number; connected: number };
  store: StoreHealth;
  /**
   * Documents the sync engine failed to send or apply and skipped (per-document failures). The
   * field is absent until the sync engine reports them (hook: HealthSources.syncFailures).
   */
  sync_failures?: SyncFailure[];
}

export interface DamagedDoc {
  collection: string;
  id: string;
  reason: string;
}

export interface StoreHealth {
  /** Documents whose stored records cannot be read back (LevelDB corruption). */
  damaged: DamagedDoc[];
  /** LevelDB's own reports of lost data from its LOG file ("dropping N bytes"), newest last. */
  log_reports: string[];
  /** When the last read-verify pass over the store finished (ISO time), or null before the first. */
  verified_at: string | null;
}

export interface SyncFailure {
  collection: string;
  id: string;
  reason: string;
}

export interface HealthSources {
  startedAt: number;
  index: () => DaemonHealth['index'];
  vectors: () => DaemonHealth['vectors'];
  replication: () => DaemonHealth['replication'];
  store: () => StoreHealth;
  /** Hook for the sync engine's per-document failures; leave undefined while it reports none. */
  syncFailures?: (() => SyncFailure[]) | undefined;
}

export function daemonHealth(s: HealthSources): DaemonHealth {
  return {
    pid: process.pid,
    uptime_s: Math.round((Date.now() - s.startedAt) / 1000),
    index: s.index(),
    vectors: s.vectors(),
    replication: s.replication(),
    store: s.store(),
    ...(s.syncFailures ? { sync_failures: s.syncFailures() } : {}),
  };
}
