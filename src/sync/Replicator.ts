import type { MeshConfig } from '../config/MeshConfig.js';
import { MeshError } from '../errors.js';
import type { HostIdentity } from '../identity/HostIdentity.js';
import type { Logger } from '../log.js';
import { decodeToken, encodeToken, Invites } from '../mesh/invites.js';
import { Membership } from '../mesh/Membership.js';
import { readManifests } from '../mesh/manifests.js';
import { dirname, join } from 'node:path';
import { readMeshSecrets, writeMeshSecrets, type MeshSecrets } from '../mesh/MeshSecrets.js';
import type { DocStore } from '../store/DocStore.js';
import type { ShareScope, Tombstone } from '../store/types.js';
import type { Actor } from '../types.js';
import { signerFromKey, type Signer } from '../trust/signing.js';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { DEFAULT_P2P_PORT, INVITE_TTL_MS } from './constants.js';
import { MembershipGuard } from './MembershipGuard.js';
import type { IncomingGuard } from './IncomingGuard.js';
import { ScopeGuard } from '../trust/ScopeGuard.js';
import { TeamWriteGuard } from '../teams/TeamWriteGuard.js';
import { checkInviteKey } from '../teams/inviteFingerprint.js';
import { fingerprint, readBoxKeyFile } from '../vault/boxKeys.js';
import { homePaths } from '../home.js';
import type { TeamRoleChange } from '../teams/roles.js';
import { MAX_CLOCK_SKEW_MS } from '../constants.js';
import { HeldTombstones } from './heldTombstones.js';
import { JoinProtocol } from './JoinProtocol.js';
import { JoinAttempts } from './joinAttempts.js';
import { defaultListen, tailscaleInterfaceIPv4 } from './listenAddress.js';
import { assertListenable, homeListenPort, LISTEN_PORT_FILE } from './listenPort.js';
import { MeshNode } from './MeshNode.js';
import { Presence } from './Presence.js';
import { SyncEngine, type PullResult } from './SyncEngine.js';
import { libp2pTransport } from './SyncTransport.js';
import { tailscaleStatus, type TailnetStatus } from './tailscale.js';
import { signTombstone } from './tombstones.js';
import { AuthorshipGuard } from '../authorship/AuthorshipGuard.js';
import { legacyWindowEnd } from '../authorship/legacyWindow.js';
import { VERSION } from '../version.js';

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
  /** This host's vault box public key (base64), published in its signed membership record. */
  boxPublicKey?: string;
  /** More rules for the apply point (the vault guard), built once the membership exists. */
  extraGuards?: (membership: Membership) => IncomingGuard[];
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
  team_admin: string[];
  admin: boolean;
  /** The Automerge actor id this host bound to itself in its signed record (authorship checks changes against it). */
  actor: string | null;
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
  membership!: Membership;
  /** Signs as this host (its libp2p key): membership operations, tombstones, change signatures. */
  signer!: Signer;
  private readonly invites: Invites;
  private mesh!: MeshNode;
  private sync!: SyncEngine;
  private unsubscribeMembership: (() => void) | undefined;
  private heldErasures!: HeldTombstones;
  /** Agent presence and clock offsets (ephemeral; see Presence.ts). */
  presence!: Presence;
  private join!: JoinProtocol;
  private secrets!: MeshSecrets;
  private tailnet: TailnetStatus | undefined;
  private tailnetTimer: NodeJS.Timeout | undefined;
  private joinError: string | undefined;
  private readonly joinAttempts = new JoinAttempts();
  /** The inviter we joined through stays allowed for this run, until its membership record arrives. */
  private bootstrapPeer: string | undefined;
  private joining = false;
  private readonly actor: Actor;

  constructor(private readonly opts: ReplicatorOptions) {
    this.invites = new Invites(opts.store);
    this.actor = { machine: opts.identity.name, agent: 'hivemesh-daemon' };
  }

  async start(): Promise<void> {
    const { opts } = this;
    const secrets = await readMeshSecrets(opts.meshPath);
    if (!secrets) throw new MeshError('HOME_INVALID', 'this home has no mesh key; run `mesh init`');
    if (!opts.identity.p2pKey) throw new MeshError('HOME_INVALID', 'this home has no libp2p key; run `mesh init`');
    this.secrets = secrets;
    await this.invites.start();
    const useDiscovery = opts.discovery !== false;
    if (useDiscovery && opts.config.discovery.tailscale) this.tailnet = await tailscaleStatus();
    const defaultHost = this.tailnet?.selfIPv4 ?? tailscaleInterfaceIPv4() ?? '127.0.0.1';
    const listen = opts.listen?.length
      ? opts.listen
      : opts.config.listen.length
        ? opts.config.listen
        : defaultListen(await homeListenPort(defaultHost, DEFAULT_P2P_PORT, join(dirname(opts.meshPath), LISTEN_PORT_FILE), (msg, port) => opts.logger.warn({ port }, msg)), defaultHost);
    // A taken port is one line with its fix, not libp2p's aggregate error with a stack trace.
    await assertListenable(listen);

    this.mesh = new MeshNode({
      p2pKey: opts.identity.p2pKey,
      psk: secrets.psk,
      listen,
      announce: opts.announce?.length ? opts.announce : opts.config.announce,
      isAllowed: (peer) => this.isAllowed(peer),
      // An unknown peer may knock while an invite is open (to join); a removed one never may.
      acceptUnknownInbound: (peer) => this.membership.get(peer)?.removed !== true && this.invites.hasOutstanding(),
      dialTargets: () => this.dialTargets(useDiscovery),
      memberAddrs: () => this.memberAddrs(),
      mdns: useDiscovery && opts.config.discovery.mdns,
      logger: opts.logger.child({ mod: 'p2p' }),
    });
    this.signer = signerFromKey(this.mesh.privateKey, peerIdFromPrivateKey(this.mesh.privateKey).toString());
    this.membership = new Membership({
      store: opts.store,
      signer: this.signer,
      meshId: secrets.meshId,
      // The actor bound to this host's key (src/authorship), as its signed record declares it.
      actorId: opts.store.actor ?? opts.identity.actorId,
      ...(opts.boxPublicKey !== undefined ? { boxPublicKey: opts.boxPublicKey } : {}),
      founder: secrets.founder,
      root: () => this.secrets.root,
      setRoot: async (root) => {
        this.secrets = { ...this.secrets, root };
        await writeMeshSecrets(opts.meshPath, this.secrets);
      },
      logger: opts.logger.child({ mod: 'membership' }),
    });
    await this.membership.start();
    await this.mesh.start();
    const self = this.mesh.peerId;
    await this.membership.ensureSelf(opts.identity.name, this.mesh.addrs());
    await this.importManifests();
    this.warnOfClaimedTeams();

    const legacyUntil = await legacyWindowEnd(opts.store);
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
      transport: libp2pTransport(this.mesh.node),
      logger: opts.logger.child({ mod: 'sync' }),
      canShare: (scope, peer) => this.canShare(scope, peer),
      onRemoteErase: opts.onRemoteErase,
      guards: [
        new AuthorshipGuard({ membership: this.membership, load: (c, id) => opts.store.load(c, id), legacyOpen: () => Date.now() < legacyUntil }),
        new MembershipGuard(opts.store, this.membership, secrets.meshId, () => this.secrets.root),
        new ScopeGuard(opts.store, this.membership),
        new TeamWriteGuard(opts.store, this.membership),
        ...(opts.extraGuards?.(this.membership) ?? []),
      ],
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
      version: VERSION,
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
      counts: this.mesh.refusalCounts,
    });
    await this.join.start();

    // A member taken out of the mesh loses its connections at once. A host just admitted signs
    // its own record (addresses, and the actor id that binds its changes to its key).
    this.unsubscribeMembership = this.membership.onChange(() => {
      this.recordSelfSoon();
      for (const conn of this.mesh.node.getConnections()) {
        const peer = conn.remotePeer.toString();
        if (!this.isAllowed(peer) && (this.membership.get(peer)?.removed === true || !this.invites.hasOutstanding())) void this.mesh.hangUp(peer);
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
    this.unsubscribeMembership?.();
    this.mesh?.node.removeEventListener('peer:connect', this.onConnectWhileJoining);
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

  async invite(ttlMs = INVITE_TTL_MS): Promise<{ token: string; expires_at: string; fingerprint: string; box_fingerprint: string | null }> {
    // The inviter signs the newcomer's admission, and only admins admit: refuse here, not at the join.
    if (!this.membership.isAdmin(this.mesh.peerId)) throw new MeshError('NOT_AUTHORISED', this.membership.mode === 'legacy' ? 'this mesh has no signed membership yet: start the upgraded daemon on the host that created the mesh first' : 'only an admin can invite (an admin grants it: mesh peers admin <this host>)');
    const { secret, expiresAt } = await this.invites.create(ttlMs);
    // The inviter's key fingerprints, in the form `mesh whoami` prints, so the joiner can compare them (teams/inviteFingerprint.ts).
    const fp = fingerprint(this.mesh.privateKey.publicKey.raw);
    const box = await readBoxKeyFile(homePaths(dirname(this.opts.meshPath)).boxKey).catch(() => undefined);
    const boxFp = box ? fingerprint(new Uint8Array(Buffer.from(box.publicKey, 'base64'))) : undefined;
    const token = encodeToken({ v: 1, mesh: this.secrets.meshId, psk: this.secrets.psk, inviter: this.mesh.peerId, addrs: this.mesh.addrs(), secret, exp: expiresAt, ...(this.secrets.root ? { root: this.secrets.root } : {}), fp, ...(boxFp ? { box_fp: boxFp } : {}) });
    return { token, expires_at: new Date(expiresAt).toISOString(), fingerprint: fp, box_fingerprint: boxFp ?? null };
  }

  async removePeer(peer: string): Promise<{ removed: boolean }> {
    const target = this.resolvePeer(peer);
    if (target === this.mesh.peerId) throw new MeshError('INVALID_INPUT', 'a host cannot remove itself; remove it from another member');
    return { removed: await this.membership.remove(target) };
  }

  /** Re-admits a removed member (or admits a known peer id): an admin's explicit, signed decision. */
  async readmitPeer(peer: string, name?: string): Promise<{ readmitted: string }> {
    const target = this.resolvePeer(peer, true);
    const known = this.membership.get(target);
    await this.membership.add(target, { name: name ?? known?.name ?? target.slice(-8), addrs: known?.addrs ?? [] });
    return { readmitted: target };
  }

  async setTeam(peer: string, team: string, role: TeamRoleChange, expiresAt?: number): Promise<{ peer: string; team: string; role: string; expires_at: string | null }> {
    const target = this.resolvePeer(peer);
    await this.membership.setTeam(target, team, role, expiresAt);
    return { peer: target, team, role, expires_at: expiresAt === undefined ? null : new Date(expiresAt).toISOString() };
  }

  async setAdmin(peer: string, admin: boolean): Promise<{ peer: string; admin: boolean }> {
    const target = this.resolvePeer(peer);
    await this.membership.setAdmin(target, admin);
    return { peer: target, admin };
  }

  /** `full`: compare every document's heads with the peer's, not only what changed since the cursor. */
  async syncNow(peer?: string, opts: { full?: boolean } = {}): Promise<PullResult[]> {
    this.mesh.redialNow();
    if (peer) return [await this.sync.pull(this.resolvePeer(peer), opts)];
    return this.sync.pullAll(opts);
  }

  /**
   * Re-fetches what this host lost (damaged or dropped documents): a full sweep with every
   * connected member now, and the next anti-entropy round sweeps again for members that connect later.
   */
  async refetchLost(): Promise<PullResult[]> {
    this.sync.requestSweep();
    return this.sync.pullAll({ full: true });
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
        team_admin: m.team_admin,
        admin: m.admin,
        actor: m.actor,
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
      /** true on the home that created the mesh; a joined home alone in its member list is still receiving it. */
      founder: this.secrets.founder,
      joining: this.secrets.join ? { inviter: this.secrets.join.inviter, error: this.joinError ?? null, gave_up: this.joinAttempts.gaveUp !== undefined } : null,
      peers: this.peers().filter((p) => !p.self),
      // Documents that failed one by one (refused, undecodable, unsendable): the rest replicated.
      rejected_documents: this.sync ? this.sync.rejected().map((r) => ({ ...r, at: new Date(r.at).toISOString() })) : [],
      trust: this.membership.status(),
      // Connections and joins refused since start, by reason (every attempt; the log has one line per source per interval).
      refused: this.mesh.refusalCounts.snapshot(),
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

  /**
   * Admits the hosts listed in configured manifests, signed by this host, so only on an admin
   * (never re-admits one removed from the mesh); the teams a manifest lists are granted with them.
   */
  private async importManifests(): Promise<void> {
    if (this.opts.config.manifests.length === 0) return;
    const manifests = await readManifests(this.opts.config.manifests, dirname(this.opts.meshPath));
    if (!this.membership.isAdmin(this.mesh.peerId)) {
      this.opts.logger.warn({ manifests: manifests.length }, 'member manifests are admitted by an admin; this host is not one, so they are left to an admin host');
      return;
    }
    for (const m of manifests) {
      if (m.peer_id === this.mesh.peerId || this.membership.get(m.peer_id)) continue;
      await this.membership.add(m.peer_id, { name: m.name, addrs: m.addrs });
      for (const team of m.teams) await this.membership.setTeam(m.peer_id, team, 'member');
    }
  }

  private recordingSelf = false;
  private recordSelfSoon(): void {
    if (this.recordingSelf || !this.membership.isMember(this.mesh.peerId)) return;
    this.recordingSelf = true;
    this.membership
      .ensureSelf(this.opts.identity.name, this.mesh.addrs())
      .catch((err: unknown) => this.opts.logger.warn({ err: (err as Error).message }, 'could not sign this host’s membership record'))
      .finally(() => (this.recordingSelf = false));
  }

  /** A host's `teams` config no longer grants anything: say which claimed teams were not granted. */
  private warnOfClaimedTeams(): void {
    const granted = this.membership.teamsOf(this.mesh.peerId);
    const claimed = this.opts.config.teams.filter((t) => !granted.includes(t));
    if (claimed.length > 0 && this.membership.mode === 'signed') this.opts.logger.warn({ teams: claimed }, 'teams in this host’s config are not granted to it; a team admin grants them (mesh teams grant)');
  }

  private isAllowed(peer: string): boolean {
    return this.membership.isMember(peer) || peer === this.secrets.join?.inviter || peer === this.bootstrapPeer;
  }

  /** Team documents go to hosts granted a team this host is granted (signed grants, never config claims). */
  private canShare(scope: ShareScope, peer: string): boolean {
    if (scope === 'private') return false;
    if (scope === 'mesh') return true;
    const theirs = this.membership.teamsOf(peer);
    const mine = this.membership.mode === 'signed' ? this.membership.teamsOf(this.mesh.peerId) : this.opts.config.teams;
    return mine.some((t) => theirs.includes(t));
  }

  resolvePeer(peerOrName: string, anyPeerId = false): string {
    if (this.membership.get(peerOrName)) return peerOrName;
    if (anyPeerId && /^12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(peerOrName)) return peerOrName;
    const byName = this.membership.list().filter(([, m]) => m.name === peerOrName);
    if (byName.length === 1) return byName[0]![0];
    if (byName.length > 1) throw new MeshError('INVALID_INPUT', `several members are named ${peerOrName}; use the peer id`);
    throw new MeshError('NOT_FOUND', `no member ${peerOrName}`);
  }

  /** Members' recorded addresses and the configured peers: not tailnet hosts at large, which may be anyone. */
  private memberAddrs(): string[] {
    const addrs = [...(this.opts.peers ?? []), ...this.opts.config.peers];
    for (const [peer, m] of this.membership.list()) if (!m.removed && peer !== this.mesh.peerId) addrs.push(...m.addrs);
    return addrs;
  }

  private dialTargets(discovery: boolean): string[] {
    // A host that knows it was removed stops knocking: every member refuses it anyway.
    if (this.membership.get(this.mesh.peerId)?.removed) return [];
    const targets = new Set<string>([...(this.opts.peers ?? []), ...this.opts.config.peers]);
    for (const [peer, m] of this.membership.list()) if (!m.removed && peer !== this.mesh.peerId) for (const a of m.addrs) targets.add(a);
    // The inviter's addresses from the token, until the join ends (or is given up: see JoinAttempts).
    if (!this.joinAttempts.gaveUp) for (const a of this.secrets.join?.addrs ?? []) targets.add(a);
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
    // Between attempts (backoff) a reconnect does not start another; a timer does (see below).
    if (!join || this.joining || this.joinAttempts.wait() > 0) return;
    this.joining = true;
    try {
      if (join.expiresAt <= Date.now()) throw new MeshError('INVITE_REFUSED', 'the invite expired before this host could use it');
      const meshId = await this.join.join(join.inviter, join.secret, { name: this.opts.identity.name, addrs: this.mesh.addrs(), teams: this.opts.config.teams });
      this.bootstrapPeer = join.inviter;
      const { join: _done, ...rest } = this.secrets;
      this.secrets = { ...rest, meshId };
      await writeMeshSecrets(this.opts.meshPath, this.secrets);
      this.mesh.node.removeEventListener('peer:connect', this.onConnectWhileJoining);
      this.joinError = undefined;
      this.opts.logger.info({ inviter: join.inviter }, 'joined the mesh');
      // The first pull can fail on its own (and is retried by anti-entropy); that is not a failed join.
      this.sync.pullQuietly(join.inviter);
    } catch (err) {
      const { error, final } = this.joinAttempts.failed(err, join.expiresAt);
      this.joinError = error.message;
      if (final) {
        // Said once, then silence: no more dialing the inviter, no retry on reconnects.
        this.mesh.node.removeEventListener('peer:connect', this.onConnectWhileJoining);
        this.opts.logger.error({ reason: error.message }, 'joining the mesh failed for good');
      } else {
        this.opts.logger.warn({ reason: error.message }, 'joining the mesh failed; will retry');
        const retry = setTimeout(() => {
          if (this.mesh.isConnected(join.inviter)) void this.completeJoin();
        }, this.joinAttempts.wait());
        retry.unref();
      }
    } finally {
      this.joining = false;
    }
  }
}

/** `mesh join TOKEN`: records the invite in the home; the daemon completes the join when it starts. */
export async function recordJoin(meshPath: string, tokenText: string, expectFingerprint?: string): Promise<{ inviter: string; mesh: string; expires_at: string; inviter_fingerprint: string; inviter_box_fingerprint: string | null }> {
  const token = decodeToken(tokenText);
  const { fingerprint: inviterFp } = checkInviteKey(token, expectFingerprint);
  if (token.exp <= Date.now()) throw new MeshError('INVALID_INPUT', `this invite expired at ${new Date(token.exp).toISOString()}; ask for a new one`);
  await writeMeshSecrets(meshPath, {
    version: 1,
    meshId: token.mesh,
    psk: token.psk,
    founder: false,
    ...(token.root ? { root: token.root } : {}),
    join: { inviter: token.inviter, addrs: token.addrs, secret: token.secret, expiresAt: token.exp },
  });
  return { inviter: token.inviter, mesh: token.mesh, expires_at: new Date(token.exp).toISOString(), inviter_fingerprint: inviterFp, inviter_box_fingerprint: token.box_fp ?? null };
}
