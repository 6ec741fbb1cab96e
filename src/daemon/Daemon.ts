import { readFile, unlink, writeFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { loadConfig, type MeshConfig } from '../config/MeshConfig.js';
import { INDEX_CHECKPOINT_INTERVAL_MS, INDEX_CHECKPOINT_REPLAY_THRESHOLD, MAX_SOCKET_PATH_BYTES, RETENTION_SWEEP_INTERVAL_MS } from '../constants.js';
import { MemoryService } from '../domain/MemoryService.js';
import { MeshError } from '../errors.js';
import { homePaths, type HomePaths } from '../home.js';
import type { HostIdentity } from '../identity/HostIdentity.js';
import type { Logger } from '../log.js';
import { MemoryIndex } from '../search/MemoryIndex.js';
import { DocStore } from '../store/DocStore.js';
import { buildApi } from './api.js';
import { initHome } from './initHome.js';
import { SocketServer } from './SocketServer.js';
import { Serializer } from './Serializer.js';
import { Replicator } from '../sync/Replicator.js';
import { MemoryVectors } from '../search/MemoryVectors.js';
import { join } from 'node:path';
import { defaultCapabilityGroups } from '../config/capabilityGroups.js';
import { defaultSynonymGroups } from '../config/searchSynonyms.js';
import { Thesaurus } from '../search/Thesaurus.js';
import { RosterService } from '../domain/RosterService.js';
import { TaskService } from '../domain/TaskService.js';
import type { Tombstone } from '../store/types.js';
import { buildBoardApi, sessionRef } from './boardApi.js';
import { buildLifecycleApi } from './lifecycleApi.js';
import { AccessStats } from '../domain/lifecycle/AccessStats.js';

export interface DaemonOptions {
  home: string;
  logger: Logger;
  name?: string;
  /** libp2p listen multiaddrs (`--listen`, or MESH_P2P_LISTEN); default from config, else the tailnet or loopback. */
  listen?: string[];
  /** Addresses other hosts should dial instead (`--announce`, or MESH_P2P_ANNOUNCE); default from config, else the listen addresses. */
  announce?: string[];
  /** Extra peers to dial (`--peer`). */
  peers?: string[];
  /** false with `--no-discovery`: no tailscale or mDNS discovery. */
  discovery?: boolean;
}

import { VERSION } from '../version.js';

/**
 * Composes the store, the derived indexes, the domain services and the local socket, and owns
 * their lifecycle. One per home: the LevelDB lock is the arbiter, taken before the socket is touched.
 */
export class Daemon {
  readonly paths: HomePaths;
  private store: DocStore | undefined;
  private index: MemoryIndex | undefined;
  private server: SocketServer | undefined;
  private replicator: Replicator | undefined;
  private vectors: MemoryVectors | undefined;
  private embeddingError: string | undefined;
  /** The model and vector index being loaded: stop waits for it, so what it opens is closed. */
  private embeddingsLoading: Promise<void> | undefined;
  private replicationError: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly scrubber = new Serializer();
  private readonly access = new AccessStats();
  private startedAt = 0;
  private stopping: Promise<void> | undefined;
  private stoppedResolve!: () => void;
  /** Resolves when the daemon has stopped, for whatever reason (signal, `mesh stop`). */
  readonly stopped = new Promise<void>((resolve) => (this.stoppedResolve = resolve));
  identity!: HostIdentity;
  config!: MeshConfig;
  memories!: MemoryService;
  roster!: RosterService;
  tasks!: TaskService;

  constructor(private readonly opts: DaemonOptions) {
    this.paths = homePaths(opts.home);
  }

  async start(): Promise<void> {
    const log = this.opts.logger;
    if (Buffer.byteLength(this.paths.socket) > MAX_SOCKET_PATH_BYTES) {
      throw new MeshError('HOME_INVALID', `the home path is too long for a Unix socket (${this.paths.socket}); use a shorter MESH_HOME`);
    }
    this.identity = (await initHome(this.paths.root, this.opts.name ? { name: this.opts.name } : {})).identity;
    this.config = await loadConfig(this.paths.config);

    const store = new DocStore(this.paths.db, log.child({ mod: 'store' }), this.identity.actorId);
    await store.open();
    this.store = store;
    try {
      const index = new MemoryIndex(store, this.paths.indexDir, log.child({ mod: 'index' }));
      const t0 = performance.now();
      const opened = await index.open();
      log.info({ memories: index.count({ includeDeleted: true }), ...opened, ms: Math.round(performance.now() - t0) }, 'indexes ready');
      if (opened.replayed > INDEX_CHECKPOINT_REPLAY_THRESHOLD) await index.checkpoint();
      this.index = index;

      this.memories = new MemoryService({
        store,
        index,
        logger: log.child({ mod: 'memories' }),
        actorId: this.identity.actorId,
        customCategories: this.config.categories.custom,
        retentionDays: this.config.retentionDays,
        ...(this.config.search.expansion ? { thesaurus: this.thesaurus(index) } : {}),
      });
      this.memories.setEraseListener(() => undefined);
      await this.startReplication(store);
      await this.startBoard(store);

      const api = buildApi({
        memories: this.memories,
        machine: this.identity.name,
        status: () => Promise.resolve(this.status()),
        stop: () => void this.stop(),
        reindex: async () => {
          const memories = await index.rebuild();
          const vectors = this.vectors ? await this.vectors.rebuild() : null;
          return { memories, vectors };
        },
        model: () => this.modelStatus(),
        replication: () => this.requireReplicator(),
        inbox: (agentId, actor) => this.roster.readInbox(agentId, actor),
        extra: {
          ...buildBoardApi({ roster: this.roster, tasks: this.tasks, memories: this.memories }),
          ...buildLifecycleApi({ memories: this.memories, index, tasks: this.tasks, roster: this.roster, machine: this.identity.name, access: this.access, hosts: () => this.otherHosts(), scrub: () => this.scrub() }),
        },
      });
      this.server = new SocketServer(
        this.paths.socket,
        async (req) => {
          // Any call of a registered session is activity, and re-binds it after a daemon restart.
          await this.roster.touch(sessionRef(req.ctx));
          this.access.record(req.ctx.session ?? 'cli', req.ctx.agent_id ?? req.ctx.agent, req.method);
          const result = await api(req);
          // A hard delete answers only after the erased text has left every file in the home.
          if ((req.method === 'memory.delete' && (req.params as { hard_delete?: boolean }).hard_delete) || req.method === 'task.delete') await this.scrub();
          return result;
        },
        log.child({ mod: 'socket' }),
        { onSessionClosed: (session) => void this.roster.sessionClosed(session).catch((err: unknown) => log.warn({ err }, 'could not end an agent session')) },
      );
      await this.server.start();
      await writeFile(this.paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
    } catch (err) {
      await store.close();
      throw err;
    }
    this.startedAt = Date.now();
    // The model loads after the socket is up and the catch-up with peers after a restart (they
    // compete for the CPU on one event loop): searches meanwhile rank by keywords only, and
    // memories written meanwhile are embedded from the store's log when the vector index opens.
    void (this.replicator?.startupSynced() ?? Promise.resolve()).then(() => {
      if (!this.stopping) this.embeddingsLoading = this.startEmbeddings(store);
    });
    this.schedule(INDEX_CHECKPOINT_INTERVAL_MS, () => this.checkpointIfDirty());
    this.schedule(RETENTION_SWEEP_INTERVAL_MS, () => this.sweepRetention());
    void this.sweepRetention();
    log.info({ home: this.paths.root, socket: this.paths.socket, name: this.identity.name, pid: process.pid }, 'daemon ready');
  }

  /** Flushes writes, persists the indexes, closes the store and removes the socket and pid file. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const log = this.opts.logger;
      log.info('daemon stopping');
      for (const t of this.timers) clearInterval(t);
      await this.server?.stop();
      // Before replication stops, so other hosts learn at once that this host's agents went offline.
      await this.roster?.stop().catch((err: unknown) => log.warn({ err }, 'roster stop failed'));
      this.tasks?.stop();
      await this.replicator?.stop().catch((err: unknown) => log.warn({ err }, 'replication stop failed'));
      await this.scrubber.idle();
      await this.embeddingsLoading;
      await this.vectors?.close().catch((err: unknown) => log.warn({ err }, 'closing vectors failed'));
      if (this.store?.isOpen) {
        await this.store.flush();
        this.index?.close();
        await this.store.close();
      }
      await removePidFile(this.paths.pidFile);
      log.info('daemon stopped');
      this.stoppedResolve();
    })();
    return this.stopping;
  }

  status() {
    const stats = this.memories.stats();
    return {
      version: VERSION,
      name: this.identity.name,
      host_id: this.identity.hostId,
      pid: process.pid,
      home: this.paths.root,
      socket: this.paths.socket,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      counts: { memories: stats.total, memories_deleted: stats.deleted, agents: this.roster.roster().length, agents_live: this.roster.liveAgents().length, ...this.tasks.counts() },
      index: { seq: this.index?.seq ?? 0, store_seq: this.store?.lastSeq ?? 0, path: this.index?.path },
      clients: this.server?.connections ?? 0,
      replication: this.replicator ? this.replicator.status() : { error: this.replicationError ?? 'not started' },
      search: this.modelStatus(),
    };
  }

  /** The query thesaurus: the bundled groups (unless replaced) plus the config's own. */
  private thesaurus(index: MemoryIndex): Thesaurus {
    const { synonyms, replaceDefaults } = this.config.search;
    return new Thesaurus([...(replaceDefaults ? [] : defaultSynonymGroups()), ...synonyms], (word) => index.stem(word));
  }

  /**
   * Replication failing to start (port taken, bad mesh file) must not take local memory away from
   * the agents on this host: the daemon serves locally and `mesh status` shows the reason.
   */
  private async startReplication(store: DocStore): Promise<void> {
    const log = this.opts.logger;
    const listen = this.opts.listen ?? envList('MESH_P2P_LISTEN');
    const announce = this.opts.announce ?? envList('MESH_P2P_ANNOUNCE');
    const replicator = new Replicator({
      store,
      identity: this.identity,
      config: this.config,
      meshPath: this.paths.mesh,
      logger: log.child({ mod: 'replication' }),
      ...(listen ? { listen } : {}),
      ...(announce ? { announce } : {}),
      ...(this.opts.peers ? { peers: this.opts.peers } : {}),
      ...(this.opts.discovery === false || process.env['MESH_NO_DISCOVERY'] === '1' ? { discovery: false } : {}),
      onRemoteErase: () => void this.scrub().catch((err: unknown) => log.error({ err }, 'scrub after a replicated erasure failed')),
    });
    try {
      await replicator.start();
      this.replicator = replicator;
      this.memories.setTombstoneSigner((c, id, tomb) => replicator.sign(c, id, tomb));
    } catch (err) {
      this.replicationError = (err as Error).message;
      log.error({ err: this.replicationError }, 'replication did not start; serving this host only');
      await replicator.stop().catch(() => undefined);
    }
  }

  /** The roster and the board: replicated collections with in-memory views, started before the socket. */
  private async startBoard(store: DocStore): Promise<void> {
    const log = this.opts.logger;
    const r = this.config.roster;
    const sign = (c: string, id: string, tomb: Tombstone) => (this.replicator ? this.replicator.sign(c, id, tomb) : Promise.resolve(tomb));
    this.tasks = new TaskService({ store, logger: log.child({ mod: 'tasks' }), actorId: this.identity.actorId, agentExists: (id) => this.roster.has(id), signTombstone: sign });
    this.roster = new RosterService({
      store,
      memories: this.memories,
      logger: log.child({ mod: 'roster' }),
      actorId: this.identity.actorId,
      machine: this.identity.name,
      groups: r.capabilityGroups ?? defaultCapabilityGroups(),
      heartbeatMs: r.heartbeatSeconds * 1000,
      thresholds: { offlineAfterMs: r.offlineAfterSeconds * 1000, idleAfterMs: r.idleAfterSeconds * 1000 },
      openTasks: (id) => this.tasks.openTasksOf(id),
      forgetAfterMs: r.forgetAfterDays * 86_400_000,
      signTombstone: sign,
    });
    await this.tasks.start();
    await this.roster.start();
  }

  /** Other members of the mesh and whether they are connected now (for erasure reports). */
  private otherHosts(): { host: string; connected: boolean }[] {
    return (this.replicator?.peers() ?? []).filter((p) => !p.self && !p.removed).map((p) => ({ host: p.name ?? p.peer, connected: p.connected }));
  }

  private requireReplicator(): Replicator {
    if (!this.replicator) throw new MeshError('REPLICATION_UNAVAILABLE', `replication is not running: ${this.replicationError ?? 'not started'}`);
    return this.replicator;
  }

  /** After an erasure: fold the index's WAL (secure-delete already zeroed the rows), then compact LevelDB. */
  private scrub(): Promise<void> {
    return this.scrubber.run(async () => {
      await this.index?.checkpoint({ erasure: true });
      await this.store?.compact();
    });
  }

  private async checkpointIfDirty(): Promise<void> {
    if (!this.index || !this.store?.isOpen) return;
    if (this.index.dirty) await this.index.checkpoint();
    // The log is replayed by every derived index after a crash: keep what the slowest one needs.
    await this.store.trimLog(Math.min(this.index.durableSeq, this.vectors?.seq ?? this.index.durableSeq));
  }

  private async startEmbeddings(store: DocStore): Promise<void> {
    const log = this.opts.logger;
    if (!this.config.embedding.enabled) {
      this.embeddingError = 'disabled in config (embedding.enabled = false)';
      return;
    }
    try {
      const t0 = performance.now();
      const { TransformersEmbedder } = await import('../search/embedder/TransformersEmbedder.js');
      const { resolveModel } = await import('../search/embedder/models.js');
      const embedder = await TransformersEmbedder.load(resolveModel(this.config.embedding.model, join(this.paths.root, 'models')));
      const vectors = new MemoryVectors({
        store,
        embedder,
        dir: join(this.paths.indexDir, 'vectors'),
        logger: log.child({ mod: 'vectors' }),
        // Replicated memories are embedded after a bulk sync, not during it (keyword search has them at once).
        settled: () => this.replicator?.bulkSettled() ?? Promise.resolve(),
      });
      const opened = await vectors.open();
      this.vectors = vectors;
      this.memories.setVectors(vectors);
      log.info({ model: embedder.modelId, dimension: embedder.dimension, ...opened, ms: Math.round(performance.now() - t0) }, 'semantic search ready');
    } catch (err) {
      this.embeddingError = (err as Error).message;
      log.error({ err: this.embeddingError }, 'embedding model not loaded; search is keyword-only');
    }
  }

  modelStatus() {
    return {
      configured: this.config.embedding.model ?? { id: 'hivemesh-static-use-v1 (bundled)' },
      enabled: this.config.embedding.enabled,
      loaded: this.vectors !== undefined,
      error: this.embeddingError ?? null,
      ...(this.vectors ? this.vectors.status() : {}),
    };
  }

  private async sweepRetention(): Promise<void> {
    const forgotten = await this.roster.forgetStale({ machine: this.identity.name, agent: 'hivemesh-retention' });
    const purged = await this.memories.purgeExpired({ machine: this.identity.name, agent: 'hivemesh-retention' });
    if (forgotten.length > 0 && purged === 0) await this.scrub();
    if (purged > 0) {
      this.opts.logger.info({ purged }, 'erased memories past retention');
      await this.scrub();
    }
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    const timer = setInterval(() => {
      fn().catch((err: unknown) => this.opts.logger.error({ err }, 'periodic task failed'));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

function envList(name: string): string[] | undefined {
  const value = process.env[name];
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

async function removePidFile(path: string): Promise<void> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    if (pid === process.pid) await unlink(path);
  } catch {
    // Already gone.
  }
}
