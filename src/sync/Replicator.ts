import type { MeshConfig } from '../config/MeshConfig.js';
import { MeshError } from '../errors.js';
import type { HostIdentity } from '../identity/HostIdentity.js';
import type { Logger } from '../log.js';
import { decodeToken, encodeToken, Invites } from '../mesh/invites.js';
import { Membership } from '../mesh/Membership.js';
import { readManifests } from '../mesh/manifests.js';
import { dirname } from 'node:path';
import { readMeshSecrets, writeMeshSecrets, type MeshSecrets } from '../mesh/MeshSecrets.js';
import type { DocStore } from '../store/DocStore.js';
import type { ShareScope, Tombstone } from '../store/types.js';
import type { Actor } from '../types.js';
import { MAX_CLOCK_SKEW_MS } from '../constants.js';
import { DEFAULT_P2P_PORT, INVITE_TTL_MS } from './constants.js';
import { HeldTombstones } from './heldTombstones.js';
import { JoinProtocol } from './JoinProtocol.js';
import { defaultListen, tailscaleInterfaceIPv4 } from './listenAddress.js';
import { MeshNode } from './MeshNode.js';
import { Presence } from './Presence.js';
import { SyncEngine, type PullResult } from './SyncEngine.js';
import { tailscaleStatus, type TailnetStatus } from './tailscale.js';
import { signTombstone } from './tombstones.js';

export interface ReplicatorOptions {
  store: DocStore;
  identity: HostIdentity;
  config: MeshConfig;
  meshPath: string;
  logger: Logger;
  /** `--listen` and `--peer` flags; they win over config. */
  listen?: string[];
  /** `--announce`: what other hosts should dial instead of the listen addresses; wins over config. */
  announce?: string[];
  peers?: string[];
  discovery?: boolean;
  onRemoteErase: () => void;
}

const TAILSCALE_REFRESH_MS = 60_000;

export interface PeerStatus {
  peer: string;
  name: string;
  self: boolean;
  removed: boolean;
  connected: boolean;
  addrs: string[];
  teams: string[];
  last_sync: string | null;
  lag_ms: number | null;
  behind: number | null;
  /** Their clock minus ours (ms), measured on the last presence exchange; null before one. */
  clock_offset_ms: number | null;
  /** The offset is beyond MAX_CLOCK_SKEW_MS: its erasures are held, its time stamps are claims. */
  clock_skewed: boolean;
}

/** Replication for one host: the libp2p node, membership, joining, and the sync engine. */
export class Replicator {
  readonly membership: Membership;
  private readonly invites: Invites;
  private mesh!: MeshNode;
  private sync!: SyncEngine;
  private heldErasures!: HeldTombstones;
  /** Agent presence and clock offsets (ephemeral; see Presence.ts). */
  presence!: Presence;
  private join!: JoinProtocol;
  private secrets!: MeshSecrets;
  private tailnet: TailnetStatus | undefined;
  private tailnetTimer: NodeJS.Timeout | undefined;
  private joinError: string | undefined;
  /** The inviter we joined through stays allowed for this run, until its membership record arrives. */
  private bootstrapPeer: string | undefined;
  private joining = false;
  private readonly actor: Actor;

  constructor(private readonly opts: ReplicatorOptions) {
    this.membership = new Membership(opts.store, opts.identity.actorId, opts.logger.child({ mod: 'membership' }));
    this.invites = new Invites(opts.store);
    this.actor = { machine: opts.identity.name, agent: 'hivemesh-daemon' };
  }

  async start(): Promise<void> {
    const { opts } = this;
    const secrets = await readMeshSecrets(opts.meshPath);
    if (!secrets) throw new MeshError('HOME_INVALID', 'this home has no mesh key; run `mesh init`');
    if (!opts.identity.p2pKey) throw new MeshError('HOME_INVALID', 'this home has no libp2p key; run `mesh init`');
    this.secrets = secrets;
    await this.membership.start();
    await this.invites.start();
    const useDiscovery = opts.discovery !== false;
    if (useDiscovery && opts.config.discovery.tailscale) this.tailnet = await tailscaleStatus();
    const listen = opts.listen?.length
      ? opts.listen
      : opts.config.listen.length
        ? opts.config.listen
        : defaultListen(DEFAULT_P2P_PORT, this.tailnet?.selfIPv4 ?? tailscaleInterfaceIPv4());

    this.mesh = new MeshNode({
      p2pKey: opts.identity.p2pKey,
      psk: secrets.psk,
      listen,
      announce: opts.announce?.length ? opts.announce : opts.config.announce,
      isAllowed: (peer) => this.isAllowed(peer),
      acceptUnknownInbound: () => this.invites.hasOutstanding(),
      dialTargets: () => this.dialTargets(useDiscovery),
      mdns: useDiscovery && opts.config.discovery.mdns,
      logger: opts.logger.child({ mod: 'p2p' }),
    });
    await this.mesh.start();
    const self = this.mesh.peerId;
    await this.importManifests();
    await this.membership.ensureSelf(self, { name: opts.identity.name, addrs: this.mesh.addrs(), teams: opts.config.teams, added_by: opts.identity.name }, this.actor);

    this.heldErasures = new HeldTombstones({
      store: opts.store,
      logger: opts.logger.child({ mod: 'held-erasures' }),
      erase: async (peer, c, id, tomb) => {
        await opts.store.erase(c, id, tomb, { origin: peer });
        opts.onRemoteErase();
      },
    });
    await this.heldErasures.start();
    this.sync = new SyncEngine({
      store: opts.store,
      membership: this.membership,
      node: this.mesh.node,
      logger: opts.logger.child({ mod: 'sync' }),
      canShare: (scope, peer) => this.canShare(scope, peer),
      onRemoteErase: opts.onRemoteErase,
      held: this.heldErasures,
    });
    await this.sync.start();
    const roster = opts.config.roster;
    this.presence = new Presence({
      node: this.mesh.node,
      membership: this.membership,
      logger: opts.logger.child({ mod: 'presence' }),
      intervalMs: roster.heartbeatSeconds * 1000,
      maxAgeMs: roster.offlineAfterSeconds * 1000,
    });
    await this.presence.start();
    this.join = new JoinProtocol({
      node: this.mesh.node,
      invites: this.invites,
      membership: this.membership,
      meshId: secrets.meshId,
      actor: this.actor,
      logger: opts.logger.child({ mod: 'join' }),
      onJoined: (peer) => this.sync.pullQuietly(peer),
    });
    await this.join.start();

    // A member taken out of the mesh loses its connections at once.
    this.membership.onChange(() => {
      for (const conn of this.mesh.node.getConnections()) {
        const peer = conn.remotePeer.toString();
        if (!this.isAllowed(peer) && !this.invites.hasOutstanding()) void this.mesh.hangUp(peer);
      }
    });
    if (secrets.join) {
      this.mesh.node.addEventListener('peer:connect', this.onConnectWhileJoining);
      // The first dial may have connected before we were listening for it.
      if (this.mesh.isConnected(secrets.join.inviter)) void this.completeJoin();
    }
    if (useDiscovery && opts.config.discovery.tailscale) {
      this.tailnetTimer = setInterval(() => void tailscaleStatus().then((s) => (this.tailnet = s ?? this.tailnet)), TAILSCALE_REFRESH_MS);
      this.tailnetTimer.unref();
    }
    this.mesh.sweep();
    opts.logger.info({ peer: self, addrs: this.mesh.addrs(), members: this.membership.activePeers().length }, 'replication started');
  }

  async stop(): Promise<void> {
    clearInterval(this.tailnetTimer);
    this.heldErasures?.stop();
    await this.presence?.stop();
    await this.sync?.stop();
    await this.join?.stop();
    await this.mesh?.stop();
  }

  get peerId(): string {
    return this.mesh.peerId;
  }

  addrs(): string[] {
    return this.mesh.addrs();
  }

  /** Signs a tombstone with this host's key so every peer can verify who erased the document. */
  sign(collection: string, id: string, tomb: Tombstone): Promise<Tombstone> {
    return signTombstone(this.mesh.privateKey, this.mesh.peerId, collection, id, tomb);
  }

  async invite(ttlMs = INVITE_TTL_MS): Promise<{ token: string; expires_at: string }> {
    const { secret, expiresAt } = await this.invites.create(ttlMs);
    const token = encodeToken({ v: 1, mesh: this.secrets.meshId, psk: this.secrets.psk, inviter: this.mesh.peerId, addrs: this.mesh.addrs(), secret, exp: expiresAt });
    return { token, expires_at: new Date(expiresAt).toISOString() };
  }

  async removePeer(peer: string): Promise<{ removed: boolean }> {
    const target = this.resolvePeer(peer);
    if (target === this.mesh.peerId) throw new MeshError('INVALID_INPUT', 'a host cannot remove itself; remove it from another member');
    return { removed: await this.membership.remove(target, this.actor) };
  }

  /** `full`: compare every document's heads with the peer's, not only what changed since the cursor. */
  async syncNow(peer?: string, opts: { full?: boolean } = {}): Promise<PullResult[]> {
    this.mesh.redialNow();
    if (peer) return [await this.sync.pull(this.resolvePeer(peer), opts)];
    return this.sync.pullAll(opts);
  }

  /** Resolves when this host has caught up with its members after starting (see SyncEngine.startupSynced). */
  startupSynced(): Promise<void> {
    return this.sync?.startupSynced() ?? Promise.resolve();
  }

  /** Resolves when no bulk pull (initial sync, long reconnect) is running. */
  bulkSettled(): Promise<void> {
    return this.sync?.bulkSettled() ?? Promise.resolve();
  }

  peers(): PeerStatus[] {
    const self = this.mesh.peerId;
    return this.membership.list().map(([peer, m]) => {
      const state = this.sync.state(peer);
      const offset = this.presence.clockOffsets().get(peer);
      return {
        peer,
        name: m.name,
        self: peer === self,
        removed: m.removed,
        connected: peer === self || this.mesh.isConnected(peer),
        addrs: m.addrs,
        teams: m.teams,
        last_sync: state?.lastSync ? new Date(state.lastSync).toISOString() : null,
        lag_ms: state?.lastSync ? Date.now() - state.lastSync : null,
        behind: state ? state.lastFetched : null,
        clock_offset_ms: offset?.offsetMs ?? null,
        clock_skewed: offset !== undefined && Math.abs(offset.offsetMs) > MAX_CLOCK_SKEW_MS,
      };
    });
  }

  status() {
    return {
      peer_id: this.mesh.peerId,
      listen: this.mesh.addrs(),
      mesh_id: this.secrets.meshId,
      joining: this.secrets.join ? { inviter: this.secrets.join.inviter, error: this.joinError ?? null } : null,
      peers: this.peers().filter((p) => !p.self),
      clock: this.clockStatus(),
    };
  }

  /** Peers whose clocks are beyond the skew bound, and the erasures held because of it (`mesh status`, `mesh doctor`). */
  clockStatus(): { max_skew_ms: number; skewed_peers: { peer: string; name: string; offset_ms: number }[]; held_erasures: number } {
    const skewed = this.peers().filter((p) => p.clock_skewed && !p.self);
    return {
      max_skew_ms: MAX_CLOCK_SKEW_MS,
      skewed_peers: skewed.map((p) => ({ peer: p.peer, name: p.name, offset_ms: p.clock_offset_ms ?? 0 })),
      held_erasures: this.heldErasures.list().length,
    };
  }

  /** Admits the hosts listed in configured manifests (never re-admits one removed from the mesh). */
  private async importManifests(): Promise<void> {
    if (this.opts.config.manifests.length === 0) return;
    const manifests = await readManifests(this.opts.config.manifests, dirname(this.opts.meshPath));
    for (const m of manifests) {
      if (m.peer_id === this.mesh.peerId || this.membership.get(m.peer_id)) continue;
      await this.membership.add(m.peer_id, { name: m.name, addrs: m.addrs, teams: m.teams, added_by: `manifest:${this.opts.identity.name}` }, this.actor);
    }
  }

  private isAllowed(peer: string): boolean {
    return this.membership.isMember(peer) || peer === this.secrets.join?.inviter || peer === this.bootstrapPeer;
  }

  private canShare(scope: ShareScope, peer: string): boolean {
    if (scope === 'private') return false;
    if (scope === 'mesh') return true;
    const theirs = this.membership.get(peer)?.teams ?? [];
    return this.opts.config.teams.some((t) => theirs.includes(t));
  }

  private resolvePeer(peerOrName: string): string {
    if (this.membership.get(peerOrName)) return peerOrName;
    const byName = this.membership.list().filter(([, m]) => m.name === peerOrName);
    if (byName.length === 1) return byName[0]![0];
    if (byName.length > 1) throw new MeshError('INVALID_INPUT', `several members are named ${peerOrName}; use the peer id`);
    throw new MeshError('NOT_FOUND', `no member ${peerOrName}`);
  }

  private dialTargets(discovery: boolean): string[] {
    const targets = new Set<string>([...(this.opts.peers ?? []), ...this.opts.config.peers]);
    for (const [peer, m] of this.membership.list()) if (!m.removed && peer !== this.mesh.peerId) for (const a of m.addrs) targets.add(a);
    for (const a of this.secrets.join?.addrs ?? []) targets.add(a);
    if (discovery && this.tailnet) for (const p of this.tailnet.peers) if (p.online) targets.add(`/ip4/${p.ipv4}/tcp/${this.opts.config.discovery.port}`);
    return [...targets];
  }

  private readonly onConnectWhileJoining = (evt: CustomEvent<{ toString(): string }>): void => {
    const join = this.secrets.join;
    if (!join || evt.detail.toString() !== join.inviter) return;
    void this.completeJoin();
  };

  private async completeJoin(): Promise<void> {
    const join = this.secrets.join;
    if (!join || this.joining) return;
    this.joining = true;
    try {
      if (join.expiresAt <= Date.now()) throw new MeshError('INVALID_INPUT', 'the invite expired before this host could use it');
      const meshId = await this.join.join(join.inviter, join.secret, { name: this.opts.identity.name, addrs: this.mesh.addrs(), teams: this.opts.config.teams });
      this.bootstrapPeer = join.inviter;
      const { join: _done, ...rest } = this.secrets;
      this.secrets = { ...rest, meshId };
      await writeMeshSecrets(this.opts.meshPath, this.secrets);
      this.mesh.node.removeEventListener('peer:connect', this.onConnectWhileJoining);
      this.opts.logger.info({ inviter: join.inviter }, 'joined the mesh');
      // The first pull can fail on its own (and is retried by anti-entropy); that is not a failed join.
      this.sync.pullQuietly(join.inviter);
    } catch (err) {
      this.joinError = (err as Error).message;
      this.opts.logger.error({ err: this.joinError }, 'joining the mesh failed');
    } finally {
      this.joining = false;
    }
  }
}

/** `mesh join TOKEN`: records the invite in the home; the daemon completes the join when it starts. */
export async function recordJoin(meshPath: string, tokenText: string): Promise<{ inviter: string; mesh: string; expires_at: string }> {
  const token = decodeToken(tokenText);
  if (token.exp <= Date.now()) throw new MeshError('INVALID_INPUT', `this invite expired at ${new Date(token.exp).toISOString()}; ask for a new one`);
  await writeMeshSecrets(meshPath, {
    version: 1,
    meshId: token.mesh,
    psk: token.psk,
    founder: false,
    join: { inviter: token.inviter, addrs: token.addrs, secret: token.secret, expiresAt: token.exp },
  });
  return { inviter: token.inviter, mesh: token.mesh, expires_at: new Date(token.exp).toISOString() };
}
