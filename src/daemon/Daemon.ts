import { readFile, unlink, writeFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { loadConfig, type MeshConfig } from '../config/MeshConfig.js';
import { INDEX_CHECKPOINT_INTERVAL_MS, INDEX_CHECKPOINT_REPLAY_THRESHOLD, MAX_SOCKET_PATH_BYTES, RETENTION_SWEEP_INTERVAL_MS, STARTUP_BACKGROUND_DELAY_MS } from '../constants.js';
import { MemoryService } from '../domain/MemoryService.js';
import { MeshError } from '../errors.js';
import { homePaths, type HomePaths } from '../home.js';
import type { HostIdentity } from '../identity/HostIdentity.js';
import type { Logger } from '../log.js';
import { MemoryIndex } from '../search/MemoryIndex.js';
import { DocStore } from '../store/DocStore.js';
import { hostAuthorship } from '../authorship/hostAuthorship.js';
import { buildApi } from './api.js';
import { initHome } from './initHome.js';
import { HOME_UMASK, makeOwnerOnly } from './ownerOnly.js';
import { SocketServer } from './SocketServer.js';
import { Scrubber } from './Scrubber.js';
import { Eraser } from '../domain/Eraser.js';
import { Replicator } from '../sync/Replicator.js';
import { MemoryVectors } from '../search/MemoryVectors.js';
import { join } from 'node:path';
import { defaultCapabilityGroups } from '../config/capabilityGroups.js';
import { defaultSynonymGroups } from '../config/searchSynonyms.js';
import { Thesaurus } from '../search/Thesaurus.js';
import { RosterService } from '../domain/RosterService.js';
import { TaskService } from '../domain/TaskService.js';
import { buildBoardApi, sessionRef } from './boardApi.js';
import { buildConfigApi, replicatorTrust } from './configApi.js';
import { ConfigDistributor } from '../devops/distribution/ConfigDistributor.js';
import { buildTeamApi } from './teamApi.js';
import { teamWriteCheck } from '../teams/teamWrites.js';
import { daemonHealth, type DaemonHealth } from './health.js';
import { buildLifecycleApi } from './lifecycleApi.js';
import type { MethodName, ParamsOf, ResultOf } from './methodMap.js';
import { buildDevopsOpsApi } from './devopsOpsApi.js';
import { AccessStats } from '../domain/lifecycle/AccessStats.js';
import { DashboardHost } from '../ui/DashboardHost.js';
import { buildUiApi } from './uiApi.js';
import { buildVaultApi } from './vaultApi.js';
import { VaultBook } from '../vault/VaultBook.js';
import { VaultGuard } from '../vault/VaultGuard.js';
import { VaultService } from '../vault/VaultService.js';
import { AuditLog } from '../vault/AuditLog.js';
import { ensureBoxKeyFile } from '../vault/whoami.js';
import { openBoxKeyFile, type BoxKeyPair } from '../vault/boxKeys.js';
import { VAULT_EXPIRY_SLACK_MS, VAULT_RECONCILE_MS } from '../vault/constants.js';

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
  /** `mesh ui`: started by the first ui.open call, stopped with the daemon. */
  private dashboard: DashboardHost | undefined;
  private replicator: Replicator | undefined;
  /** Applies config distributions aimed at this host, as its config.json allows (issue 13). */
  private distributor: ConfigDistributor | undefined;
  private vectors: MemoryVectors | undefined;
  private embeddingError: string | undefined;
  /** The model and vector index being loaded: stop waits for it, so what it opens is closed. */
  private embeddingsLoading: Promise<void> | undefined;
  private replicationError: string | undefined;
  /** The start-up read-verify pass over the store (in the background; stop waits for it). */
  private verifying: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly scrubber: Scrubber;
  /** The one erasure path of every service; its after-erase step is the scrub. */
  private eraser: Eraser | undefined;
  private readonly access = new AccessStats();
  private startedAt = 0;
  private stopping: Promise<void> | undefined;
  private stoppedResolve!: () => void;
  /** Resolves when the daemon has stopped, for whatever reason (signal, `mesh stop`). */
  readonly stopped = new Promise<void>((resolve) => (this.stoppedResolve = resolve));
  identity!: HostIdentity;
  /** The Automerge actor bound to this host's key (src/authorship/actorBinding.ts). */
  private actor = '';
  config!: MeshConfig;
  memories!: MemoryService;
  roster!: RosterService;
  tasks!: TaskService;
  /** Vaults: need replication (the signing key, the membership's box keys); undefined without it. */
  vaults: VaultService | undefined;

  constructor(private readonly opts: DaemonOptions) {
    this.paths = homePaths(opts.home);
    this.scrubber = new Scrubber({ index: () => this.index, store: () => this.store, vectors: () => this.vectors, indexDir: this.paths.indexDir });
  }

  async start(): Promise<void> {
    const log = this.opts.logger;
    if (Buffer.byteLength(this.paths.socket) > MAX_SOCKET_PATH_BYTES) {
      throw new MeshError('HOME_INVALID', `the home path is too long for a Unix socket (${this.paths.socket}); use a shorter MESH_HOME`);
    }
    // Owner-only home: set before anything is created, then fix what an older home already has.
    process.umask(HOME_UMASK);
    this.identity = (await initHome(this.paths.root, this.opts.name ? { name: this.opts.name } : {})).identity;
    const opened = await makeOwnerOnly(this.paths.root);
    if (opened > 0) log.info({ entries: opened }, 'made files in the home owner-only');
    this.config = await loadConfig(this.paths.config);

    // Every local change is made under the actor bound to this host's key and signed with it.
    const authorship = hostAuthorship(this.identity);
    this.actor = authorship.actor;
    const store = new DocStore(this.paths.db, log.child({ mod: 'store' }), authorship.actor, authorship.signer);
    await store.open();
    this.store = store;
    try {
      await this.startServices(store);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'LEVEL_CORRUPTION') {
        await store.close();
        throw err;
      }
      // A block LevelDB cannot read, met by a start-up read before the verify pass could repair
      // it: undo what started, repair (its documents are listed as damaged and re-fetched), retry once.
      log.error({ err: (err as Error).message }, 'the store could not be read at start: repairing it, then starting again');
      await this.undoStartedServices();
      try {
        await store.repairNow((err as Error).message);
        await this.startServices(store);
      } catch (again) {
        await this.undoStartedServices();
        await store.close();
        throw again;
      }
    }
    this.startedAt = Date.now();
    this.schedule(INDEX_CHECKPOINT_INTERVAL_MS, () => this.checkpointIfDirty());
    this.schedule(RETENTION_SWEEP_INTERVAL_MS, () => this.sweepRetention());
    // What no answer needs waits for the socket's first answer (or a quiet moment without one), so
    // it does not share the CPU with an agent's first search: the read-verify pass, the retention
    // sweep, and the model, which also waits for the catch-up with peers after a restart (they
    // compete for the CPU on one event loop). Searches meanwhile rank by keywords only, and
    // memories written meanwhile are embedded from the store's log when the vector index opens.
    void this.afterFirstAnswer().then(() => {
      if (this.stopping) return;
      this.verifying = this.verifyStore(store);
      void this.sweepRetention().catch((err: unknown) => log.error({ err }, 'retention sweep failed'));
      void (this.replicator?.startupSynced() ?? Promise.resolve()).then(() => {
        if (!this.stopping) this.embeddingsLoading = this.startEmbeddings(store);
      });
    });
    log.info({ home: this.paths.root, socket: this.paths.socket, name: this.identity.name, pid: process.pid }, 'daemon ready');
  }

  /** The socket's first answer, or STARTUP_BACKGROUND_DELAY_MS without a request, whichever comes first. */
  private afterFirstAnswer(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<void>((resolve) => (timer = setTimeout(resolve, STARTUP_BACKGROUND_DELAY_MS)));
    return Promise.race([this.server?.firstAnswer ?? Promise.resolve(), quiet]).finally(() => clearTimeout(timer));
  }

  /** Flushes writes, persists the indexes, closes the store and removes the socket and pid file. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const log = this.opts.logger;
      log.info('daemon stopping');
      for (const t of this.timers) clearInterval(t);
      await this.dashboard?.stop().catch((err: unknown) => log.warn({ err }, 'dashboard stop failed'));
      await this.server?.stop();
      await this.distributor?.stop().catch((err: unknown) => log.warn({ err }, 'distribution stop failed'));
      // Before replication stops, so other hosts learn at once that this host's agents went offline.
      await this.roster?.stop().catch((err: unknown) => log.warn({ err }, 'roster stop failed'));
      this.tasks?.stop();
      await this.replicator?.stop().catch((err: unknown) => log.warn({ err }, 'replication stop failed'));
      await this.verifying;
      await this.scrubber.idle();
      await this.embeddingsLoading;
      await this.vectors?.close().catch((err: unknown) => log.warn({ err }, 'closing vectors failed'));
      if (this.store?.isOpen) {
        await this.store.flush();
        await this.index?.recovered();
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
      // Documents this host cannot read back (re-fetched from members, or erasable): collection/id.
      damaged: this.store?.integrity().damaged.map((d) => `${d.collection}/${d.id}`) ?? [],
      clients: this.server?.connections ?? 0,
      replication: this.replicator ? this.replicator.status() : { error: this.replicationError ?? 'not started' },
      vault: this.vaults?.status() ?? null,
      search: this.modelStatus(),
    };
  }

  health(): DaemonHealth {
    return daemonHealth({
      startedAt: this.startedAt,
      index: () => this.index?.health() ?? { state: 'failed', detail: 'not open' },
      vectors: () => this.vectorsHealth(),
      replication: () => {
        if (!this.replicator) return { running: false, error: this.replicationError ?? 'not started', listening: [], members: 0, connected: 0 };
        const peers = this.replicator.peers().filter((p) => !p.self && !p.removed);
        return { running: true, error: null, listening: this.replicator.status().listen, members: peers.length, connected: peers.filter((p) => p.connected).length };
      },
      store: () => this.store?.integrity() ?? { damaged: [], log_reports: [], verified_at: null },
      // Hook: the sync engine's per-document failures (skipped documents), once it reports them.
      syncFailures: undefined,
    });
  }

  private vectorsHealth(): DaemonHealth['vectors'] {
    if (!this.config.embedding.enabled) return { state: 'disabled', detail: 'disabled in config (embedding.enabled = false); search is keyword-only' };
    if (this.embeddingError) return { state: 'failed', detail: `embedding model not loaded: ${this.embeddingError}; search is keyword-only` };
    if (!this.vectors) return { state: 'loading', detail: 'the embedding model is loading; search ranks by keywords meanwhile' };
    const s = this.vectors.status();
    const damage = s.damaged ? ` (the saved index failed its check at ${s.damaged.at}: ${s.damaged.reason}; moved aside)` : '';
    if (s.rebuilding) return { state: 'rebuilding', detail: `rebuilding: ${s.rebuilding.done} of ${s.rebuilding.total} memories embedded${damage}` };
    return { state: 'ok', detail: `${s.vectors} vectors, model ${s.model}, ${s.queued} queued${damage ? `; rebuilt${damage}` : ''}` };
  }

  /** The query thesaurus: the bundled groups (unless replaced) plus the config's own. */
  private thesaurus(index: MemoryIndex): Thesaurus {
    const { synonyms, replaceDefaults } = this.config.search;
    return new Thesaurus([...(replaceDefaults ? [] : defaultSynonymGroups()), ...synonyms], (word) => index.stem(word), (words) => index.stemMany(words));
  }

  /**
   * Replication failing to start (port taken, bad mesh file) must not take local memory away from
   * the agents on this host: the daemon serves locally and `mesh status` shows the reason.
   */
  /** Index, services, replication, board and socket: everything of a start that reads the store. */
  private async startServices(store: DocStore): Promise<void> {
    const log = this.opts.logger;
      const index = new MemoryIndex(store, this.paths.indexDir, log.child({ mod: 'index' }));
      const t0 = performance.now();
      const opened = await index.open();
      log.info({ memories: index.count({ includeDeleted: true }), ...opened, ms: Math.round(performance.now() - t0) }, 'indexes ready');
      if (opened.replayed > INDEX_CHECKPOINT_REPLAY_THRESHOLD) await index.checkpoint();
      this.index = index;
      // Tombstones are signed once replication gives this host a key; unsigned ones stay local.
      const eraser = new Eraser({ store, sign: (c, id, tomb) => (this.replicator ? this.replicator.sign(c, id, tomb) : Promise.resolve(tomb)), afterErase: () => this.scrub() });
      this.eraser = eraser;

      this.memories = new MemoryService({
        store,
        index,
        logger: log.child({ mod: 'memories' }),
        actorId: this.actor,
        customCategories: this.config.categories.custom,
        retentionDays: this.config.retentionDays,
        hostIsMember: (machine) => this.hostIsMember(machine),
        eraser,
        ...(this.config.search.expansion ? { thesaurus: this.thesaurus(index) } : {}),
      });
      await this.startReplication(store, eraser);
      await this.startBoard(store, eraser);
      const trust = () => replicatorTrust(this.replicator);
      this.distributor = new ConfigDistributor({
        memories: this.memories,
        onCommit: (listener) => store.onCommit(listener),
        host: this.identity.name,
        allow: this.config.distribution.allow,
        trust,
        seenFile: join(this.paths.root, 'distribution-seen.json'),
        logger: log.child({ mod: 'distribution' }),
      });
      await this.distributor.start();

      // The dashboard calls the same validated methods as the socket, in process, as agent "mesh-ui".
      const dashboard = new DashboardHost({
        tokensPath: this.paths.uiTokens,
        host: this.identity.name,
        logger: log.child({ mod: 'ui' }),
        source: {
          // In process, the same dispatch the socket uses: the handler's result is the method map's ResultOf.
          call: async <N extends MethodName>(method: N, params: ParamsOf<N>) => (await api({ id: 0, method, params, ctx: { agent: 'mesh-ui' } })) as ResultOf<N>,
          onCommit: (listener) => store.onCommit(listener),
          peerReports: () => new Map([...(this.replicator?.presence.hostReports() ?? [])].map(([peer, r]) => [peer, { version: r.version, connected: r.connected, heard_ago_ms: Math.round(performance.now() - r.receivedAt) }])),
        },
      });
      this.dashboard = dashboard;
      const api = buildApi({
        memories: this.memories,
        machine: this.identity.name,
        status: () => Promise.resolve(this.status()),
        health: () => Promise.resolve(this.health()),
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
          ...buildDevopsOpsApi({ memories: this.memories, store, machine: this.identity.name }),
          ...buildBoardApi({ roster: this.roster, tasks: this.tasks, memories: this.memories }),
          ...buildConfigApi({ memories: this.memories, trust }),
          ...buildUiApi(dashboard),
          ...buildTeamApi({ replication: () => this.requireReplicator(), memories: this.memories, defaultMode: () => this.config.mode }),
          ...buildVaultApi(() => this.vaults, () => this.replicationError ?? 'not started'),
          ...buildLifecycleApi({ memories: this.memories, index, tasks: this.tasks, roster: this.roster, machine: this.identity.name, access: this.access, hosts: () => this.otherHosts(), eraser, vaults: () => this.vaults }),
        },
        ids: { exists: async (c, id) => (await store.view(c, id)) !== undefined, idsWithPrefix: (c, prefix, limit) => store.idsWithPrefix(c, prefix, limit) },
      });
      this.server = new SocketServer(
        this.paths.socket,
        async (req) => {
          // Any call of a registered session is activity, and re-binds it after a daemon restart.
          await this.roster.touch(sessionRef(req.ctx));
          // The agent a call is recorded as comes from this daemon's session bindings, never from the client's own words (#20).
          const caller = this.roster.caller(sessionRef(req.ctx));
          this.access.record(req.ctx.session ?? 'cli', caller.agentId ?? caller.agent, req.method);
          const { agent_id: _claimed, ...ctx } = req.ctx;
          // A hard delete answers only after the erased text has left every file in the home: the services await the eraser's after-erase step.
          return await api({ ...req, ctx: { ...ctx, agent: caller.agent, ...(caller.agentId ? { agent_id: caller.agentId } : {}) } });
        },
        log.child({ mod: 'socket' }),
        { onSessionClosed: (session) => void this.roster.sessionClosed(session).catch((err: unknown) => log.warn({ err }, 'could not end an agent session')) },
      );
      await this.server.start();
      await writeFile(this.paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  }

  /** What a start that failed midway had started, stopped in reverse order (the store stays open). */
  private async undoStartedServices(): Promise<void> {
    const log = this.opts.logger;
    await this.dashboard?.stop().catch((err: unknown) => log.warn({ err }, 'dashboard stop failed'));
    await this.server?.stop().catch((err: unknown) => log.warn({ err }, 'socket stop failed'));
    await this.distributor?.stop().catch((err: unknown) => log.warn({ err }, 'distribution stop failed'));
    this.distributor = undefined;
    await this.roster?.stop().catch((err: unknown) => log.warn({ err }, 'roster stop failed'));
    this.tasks?.stop();
    await this.replicator?.stop().catch((err: unknown) => log.warn({ err }, 'replication stop failed'));
    this.replicator = undefined;
  }

  private async startReplication(store: DocStore, eraser: Eraser): Promise<void> {
    const log = this.opts.logger;
    const listen = this.opts.listen ?? envList('MESH_P2P_LISTEN');
    // The box key: its public half is published in this host's signed membership record; the
    // secret half opens vault generations (sealed homes need MESH_PASSPHRASE, else vault reads are VAULT_LOCKED).
    const passphrase = process.env['MESH_PASSPHRASE'] || undefined;
    const boxFile = await ensureBoxKeyFile(this.paths, passphrase);
    let boxPair: BoxKeyPair | undefined;
    let boxError: MeshError | undefined;
    try {
      boxPair = openBoxKeyFile(boxFile, passphrase);
    } catch (err) {
      boxError = err instanceof MeshError ? err : new MeshError('VAULT_LOCKED', 'the box key could not be opened');
      log.warn({ err: boxError.message }, 'vault box key not opened; vault reads and writes are refused');
    }
    const book = new VaultBook(store);
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
      // The same after-erase step as a local erasure; not awaited by the pull that applied it (nobody waits for an answer,
      // and a page of tombstones shares the next scrub).
      onRemoteErase: () => void eraser.erased().catch((err: unknown) => log.error({ err }, 'scrub after a replicated erasure failed')),
      boxPublicKey: boxFile.publicKey,
      extraGuards: (membership) => [new VaultGuard({ store, book, removedAt: (peer) => (membership.get(peer)?.removed ? (membership.get(peer)?.removed_at ?? 0) : undefined) })],
    });
    try {
      await replicator.start();
      this.replicator = replicator;
      this.memories.setHostNames((peer) => replicator.membership.get(peer)?.name);
      this.memories.setTeamWrites(teamWriteCheck(replicator.membership, replicator.peerId));
      this.vaults = new VaultService({
        store,
        book,
        audit: new AuditLog(store, replicator.signer),
        signer: replicator.signer,
        membership: replicator.membership,
        boxKey: () => {
          if (!boxPair) throw boxError ?? new MeshError('VAULT_LOCKED', 'the box key is not open');
          return boxPair;
        },
        logger: log.child({ mod: 'vault' }),
      });
      // Rotations nobody asks for (removed members, expired grants, team changes): on membership changes, at the next expiry, and periodically.
      let expiryTimer: NodeJS.Timeout | undefined;
      const reconcile = async (): Promise<void> => {
        const next = await this.vaults?.reconcile().catch((err: unknown) => void log.warn({ err: (err as Error).message }, 'vault reconcile failed'));
        clearTimeout(expiryTimer);
        if (next !== undefined && !this.stopping) {
          expiryTimer = setTimeout(() => void reconcile(), Math.min(Math.max(next - Date.now() + VAULT_EXPIRY_SLACK_MS, 0), VAULT_RECONCILE_MS));
          expiryTimer.unref();
        }
      };
      replicator.membership.onChange(() => void reconcile());
      this.schedule(VAULT_RECONCILE_MS, reconcile);
    } catch (err) {
      // One line for status, peers, invite and sync: the reason, never a stack trace.
      this.replicationError = err instanceof MeshError ? err.message : ((err as Error).message.split('\n')[0] ?? 'failed').trim();
      log.error({ err: this.replicationError }, 'replication did not start; serving this host only');
      await replicator.stop().catch(() => undefined);
    }
  }

  /** The roster and the board: replicated collections with in-memory views, started before the socket. */
  private async startBoard(store: DocStore, eraser: Eraser): Promise<void> {
    const log = this.opts.logger;
    const r = this.config.roster;
    this.tasks = new TaskService({ store, logger: log.child({ mod: 'tasks' }), actorId: this.actor, agentExists: (id) => this.roster.has(id), eraser });
    this.roster = new RosterService({
      store,
      memories: this.memories,
      logger: log.child({ mod: 'roster' }),
      actorId: this.actor,
      machine: this.identity.name,
      groups: r.capabilityGroups ?? defaultCapabilityGroups(),
      thresholds: { offlineAfterMs: r.offlineAfterSeconds * 1000, idleAfterMs: r.idleAfterSeconds * 1000 },
      openTasks: (id) => this.tasks.openTasksOf(id),
      forgetAfterMs: r.forgetAfterDays * 86_400_000,
      eraser,
      presence: () => this.replicator?.presence,
      hostIsMember: (machine) => this.hostIsMember(machine),
    });
    await this.tasks.start();
    await this.roster.start();
  }

  /** Is a host of this name a member of the mesh? Without replication running, everyone is assumed to be (nothing is forgotten for it). */
  private hostIsMember(machine: string): boolean {
    return machine === this.identity.name || !this.replicator || this.replicator.membership.list().some(([, m]) => m.name === machine && !m.removed);
  }

  /** Other members of the mesh and whether they are connected now (for erasure reports). */
  private otherHosts(): { host: string; connected: boolean }[] {
    return (this.replicator?.peers() ?? []).filter((p) => !p.self && !p.removed).map((p) => ({ host: p.name ?? p.peer, connected: p.connected }));
  }

  private requireReplicator(): Replicator {
    if (!this.replicator) throw new MeshError('REPLICATION_UNAVAILABLE', `replication is not running: ${this.replicationError ?? 'not started'}`);
    return this.replicator;
  }

  /** The after-erase step (Scrubber.ts), awaited by every erasure through the Eraser. */
  private scrub(): Promise<void> {
    return this.scrubber.scrub();
  }

  /**
   * After the socket answers: SQLite's structural check of the keyword index (on a worker), then
   * the store read back once (LevelDB blocks, Automerge checksums, views and feed records, and
   * every memory the catalog knows). Damaged or lost
   * documents are listed by `mesh status` and `mesh doctor` and re-fetched from the members.
   */
  private async verifyStore(store: DocStore): Promise<void> {
    const log = this.opts.logger;
    try {
      const expected: string[] = [];
      for (let after: string | undefined, page: string[]; (page = this.index!.idsAfter(after, { includeDeleted: true }, 10_000)).length > 0; after = page.at(-1)) {
        for (const id of page) expected.push(`memories/${id}`);
      }
      const indexCheck = await this.index!.checkInBackground();
      if (indexCheck !== 'ok') log.warn({ result: indexCheck }, 'keyword index check');
      const report = await store.verify(expected);
      const lost = report.damaged.length > 0 || store.integrity().log_reports.length > 0;
      (lost ? log.error.bind(log) : log.info.bind(log))({ records: report.records, damaged: report.damaged.length, repaired: report.repaired, ms: report.ms }, 'store verified');
      if (lost && this.replicator && !this.stopping) {
        const results = await this.replicator.refetchLost();
        log.info({ peers: results.length, fetched: results.reduce((n, r) => n + r.fetched, 0) }, 're-fetched damaged or lost documents from members');
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'verifying the store failed');
    }
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
      const { HnswVectorIndex } = await import('../search/vector/HnswVectorIndex.js');
      const embedder = await TransformersEmbedder.load(resolveModel(this.config.embedding.model, join(this.paths.root, 'models')));
      const vectors = new MemoryVectors({
        store,
        embedder,
        vectorIndex: HnswVectorIndex.files(join(this.paths.indexDir, 'vectors', 'hnsw'), { modelId: embedder.modelId, dimension: embedder.dimension }),
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

  /** Agents and memories past their retention, erased in one batch: one scrub after both. */
  private async sweepRetention(): Promise<void> {
    const actor = { machine: this.identity.name, agent: 'hivemesh-retention' };
    const purged = await this.eraser!.batch(async () => {
      await this.roster.forgetStale(actor);
      return this.memories.purgeExpired(actor);
    });
    if (purged > 0) this.opts.logger.info({ purged }, 'erased memories past retention');
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
