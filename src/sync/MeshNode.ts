import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { Logger } from '../log.js';
import { DIAL_BACKOFF_MAX_MS, DIAL_BACKOFF_MIN_MS, RECENT_LINK_MS, RECENT_LINK_QUICK_REDIALS, REDIAL_SWEEP_MS } from './constants.js';
import { applyPnetCipherFix, withCipherRelease } from '../polyfills/pnetCipherFix.js';
import { HandshakeWatch } from './HandshakeWatch.js';
import { RefusalCounts } from './RefusalCounts.js';
import { RefusalLog } from './RefusalLog.js';

export interface MeshNodeOptions {
  /** Protobuf-encoded libp2p private key, base64. */
  p2pKey: string;
  psk: string;
  listen: string[];
  /** Addresses to record and advertise instead of the listen addresses (empty: the listen addresses). */
  announce: string[];
  /** Peers allowed to connect: members, plus a bootstrap inviter while joining. */
  isAllowed: (peerId: string) => boolean;
  /** Unknown peers may open connections while an invite is outstanding (they can only use the join protocol); never a removed one. */
  acceptUnknownInbound: (peerId: string) => boolean;
  /** Addresses worth dialling now (members' recorded addresses, configured peers, tailnet hosts). */
  dialTargets: () => string[];
  /** Members' recorded addresses and configured peers: refusals from their IPs are counted but not logged. */
  memberAddrs: () => string[];
  mdns: boolean;
  logger: Logger;
}

interface Backoff {
  next: number;
  delay: number;
  /** Failed dials in a row: a recently lost link is redialled at once only for the first few. */
  failures: number;
}

/**
 * The libp2p node: TCP + Noise + Yamux inside a private network (pnet pre-shared key), with a
 * connection gater that admits only mesh members. Keeps dialling the configured and known
 * addresses with exponential backoff, so a laptop coming back from sleep is reconnected.
 */
export class MeshNode {
  node!: Libp2p;
  readonly privateKey: PrivateKey;
  private timer: NodeJS.Timeout | undefined;
  private readonly backoff = new Map<string, Backoff>();
  private readonly dialing = new Set<string>();
  /** When each target was last seen connected: a link lost a moment ago is redialled at every sweep. */
  private readonly lastUp = new Map<string, number>();
  /** The peer a target without a `/p2p/` part turned out to be, so a connected one is not dialled again. */
  private readonly targetPeer = new Map<string, string>();
  /** Refused peers: when their refusal was last logged and how many attempts since (one line per interval, not per attempt). */
  private readonly refusals = new RefusalLog();
  /** Addresses whose connections failed the handshake (wrong mesh key): logged by IP, once per interval. */
  private readonly handshakeRefusals = new RefusalLog();
  /** Every refusal, counted by reason for `mesh status` (the join protocol counts its own here too). */
  readonly refusalCounts = new RefusalCounts();
  private readonly handshakes = new HandshakeWatch({
    onFailed: (host) => this.logHandshakeFailure(host),
    // A member's dial closed mid-handshake: counted, not logged.
    onAborted: (host) => this.refusalCounts.record('aborted_handshake', host),
    onRefusedEarly: (host) => this.logEarlyRefusal(host),
  });
  /** Addresses refused before their handshake: logged by IP, once per interval (members' addresses counted only). */
  private readonly earlyRefusals = new RefusalLog();

  constructor(private readonly opts: MeshNodeOptions) {
    this.privateKey = privateKeyFromProtobuf(Buffer.from(opts.p2pKey, 'base64'));
  }

  async start(): Promise<void> {
    const { opts } = this;
    // Before any connection exists: the pnet cipher's shared memory otherwise runs out under bulk traffic.
    applyPnetCipherFix();
    this.node = await createLibp2p({
      privateKey: this.privateKey,
      addresses: { listen: opts.listen, ...(opts.announce.length ? { announce: opts.announce } : {}) },
      transports: [this.handshakes.transport(tcp())],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionProtector: this.handshakes.protector(withCipherRelease(preSharedKey({ psk: new TextEncoder().encode(opts.psk) }))),
      connectionGater: {
        denyInboundEncryptedConnection: (peer, maConn) => {
          this.handshakes.passed(maConn);
          const id = peer.toString();
          const deny = !opts.isAllowed(id) && !opts.acceptUnknownInbound(id);
          if (deny) this.logRefusal(id);
          return deny;
        },
        denyOutboundEncryptedConnection: (peer) => !opts.isAllowed(peer.toString()),
      },
      peerDiscovery: opts.mdns ? [mdns()] : [],
    });
    if (opts.mdns) {
      this.node.addEventListener('peer:discovery', (evt) => {
        const id = evt.detail.id.toString();
        if (opts.isAllowed(id) && !this.isConnected(id)) void this.node.dial(evt.detail.id).catch(() => undefined);
      });
    }
    this.timer = setInterval(() => this.sweep(), REDIAL_SWEEP_MS);
    this.timer.unref();
    this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.node?.stop();
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  addrs(): string[] {
    return this.node.getMultiaddrs().map((a) => a.toString());
  }

  isConnected(peerId: string): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === peerId);
  }

  /** Closes every connection to a peer (after it was removed from the mesh). */
  async hangUp(peerId: string): Promise<void> {
    for (const c of this.node.getConnections()) if (c.remotePeer.toString() === peerId) await c.close().catch(() => undefined);
  }

  /** Dials every target we are not connected to whose backoff has elapsed. */
  sweep(): void {
    const now = Date.now();
    const targets = this.opts.dialTargets();
    this.forgetUnlisted(new Set(targets));
    for (const target of targets) {
      let addr: Multiaddr;
      try {
        addr = multiaddr(target);
      } catch {
        continue;
      }
      const peer = addr.getComponents().find((c) => c.name === 'p2p')?.value ?? this.targetPeer.get(target);
      if (peer === this.peerId) continue;
      if (peer && this.isConnected(peer)) {
        this.lastUp.set(target, now);
        continue;
      }
      const b = this.backoff.get(target);
      if ((b && b.next > now) || this.dialing.has(target)) continue;
      this.dialing.add(target);
      this.node
        .dial(addr, { signal: AbortSignal.timeout(10_000) })
        .then((conn) => {
          this.backoff.delete(target);
          this.lastUp.set(target, Date.now());
          this.targetPeer.set(target, conn.remotePeer.toString());
        })
        .catch((err: unknown) => {
          // A link lost a moment ago is redialled at every sweep, but only a few times: a peer that
          // refuses us (we were removed) must see backoff, not two dials a second for minutes.
          const failures = (b?.failures ?? 0) + 1;
          const recent = Date.now() - (this.lastUp.get(target) ?? -Infinity) < RECENT_LINK_MS && failures <= RECENT_LINK_QUICK_REDIALS;
          const delay = recent ? 0 : Math.min((b?.delay ?? DIAL_BACKOFF_MIN_MS / 2) * 2, DIAL_BACKOFF_MAX_MS);
          this.backoff.set(target, { next: Date.now() + delay, delay: recent ? DIAL_BACKOFF_MIN_MS / 2 : delay, failures });
          this.opts.logger.debug({ target, err: (err as Error).message }, 'dial failed');
        })
        .finally(() => this.dialing.delete(target));
    }
  }

  /** Addresses with dial state (backoff, last up, peer found there): the targets listed lately. */
  knownTargets(): string[] {
    return [...new Set([...this.backoff.keys(), ...this.lastUp.keys(), ...this.targetPeer.keys()])];
  }

  /**
   * Drops the dial state of addresses no longer listed (a member's old address, a tailnet host
   * gone offline, a finished join): kept, it grew by one entry per address ever listed for the
   * daemon's life. One listed again is dialled as new.
   */
  private forgetUnlisted(listed: ReadonlySet<string>): void {
    for (const map of [this.backoff, this.lastUp, this.targetPeer]) for (const target of map.keys()) if (!listed.has(target)) map.delete(target);
  }

  private logRefusal(peer: string): void {
    this.refusalCounts.record('not_a_member', peer);
    const line = this.refusals.shouldLog(peer);
    if (line) this.opts.logger.warn({ peer, ...line }, 'refused a connection from a peer that is not a member (logged once per 10 min per peer)');
  }

  /** Nothing of the failed handshake is logged but the address: there is no peer id yet, and no key material is ever at hand. */
  private logHandshakeFailure(host: string): void {
    this.refusalCounts.record('wrong_mesh_key', host);
    const line = this.handshakeRefusals.shouldLog(host);
    if (line) this.opts.logger.warn({ from: host, ...line }, 'refused a connection that failed the private-network handshake: wrong mesh key, or not a hivemesh daemon (logged once per 10 min per address)');
  }

  /**
   * libp2p refused a connection before any byte was exchanged (more handshakes in progress than it
   * allows, or a burst from one address): nothing is known of it but its IP. Counted always; logged
   * once per interval, but not for a member's address — a host back from a restart gets every
   * member's dial at once, and naming members as intruders is noise (a lesson of the timing rule
   * HandshakeWatch replaced).
   */
  private logEarlyRefusal(host: string): void {
    this.refusalCounts.record('refused_before_handshake', host);
    if (this.memberHosts().has(host)) return;
    const line = this.earlyRefusals.shouldLog(host);
    if (line) this.opts.logger.warn({ from: host, ...line }, 'refused a connection before its handshake: too many connections at once (logged once per 10 min per address)');
  }

  /** The IPs of members' recorded addresses and configured peers (not every tailnet host: an intruder may be one). */
  private memberHosts(): Set<string> {
    const hosts = new Set<string>();
    for (const target of this.opts.memberAddrs()) {
      try {
        const ip = multiaddr(target).getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value;
        if (ip) hosts.add(ip);
      } catch {
        // an unparsable target names no host
      }
    }
    return hosts;
  }

  /** Forget backoff (network change, manual sync): dial everything again now. */
  redialNow(): void {
    this.backoff.clear();
    this.sweep();
  }
}
