import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { Membership } from '../mesh/Membership.js';
import { FramedStream } from './codec.js';
import { MAX_PRESENCE_AGENTS, MAX_PRESENCE_LINKS, MAX_PRESENCE_VERSION_CHARS, PRESENCE_PROTOCOL, PRESENCE_TIMEOUT_MS } from './constants.js';
import { RefusalLog } from './RefusalLog.js';

/**
 * One live agent as a presence message carries it. Ages are durations, never time stamps: how
 * long ago its own host last saw its session connected (plus the time each relay held the
 * entry), and how long ago it last made a call. Durations do not depend on anyone's clock being
 * right, so a host's wrong clock cannot make another host's agents look offline.
 */
const WireEntry = z.object({
  /** agent id */
  i: z.string().min(1).max(128),
  /** seen_ago_ms */
  s: z.number().int().min(0).max(1e10),
  /** active_ago_ms */
  a: z.number().int().min(0).max(1e12),
});
export interface PresenceEntry {
  id: string;
  seen_ago_ms: number;
  active_ago_ms: number;
}

/**
 * `now`: the sender's wall clock when it sent, for the clock offset of the connection.
 * `v` and `c` (optional, so older hosts' messages still parse and older hosts ignore them): the
 * sender's software version and the members it is connected to, for the dashboard's fleet page.
 */
const PresenceMessage = z.object({
  t: z.literal('presence'),
  now: z.number(),
  agents: z.array(WireEntry).max(MAX_PRESENCE_AGENTS),
  v: z.string().max(MAX_PRESENCE_VERSION_CHARS).optional(),
  c: z.array(z.string().min(1).max(128)).max(MAX_PRESENCE_LINKS).optional(),
});
type PresenceMessage = z.infer<typeof PresenceMessage>;

/** How far a peer's clock is from ours, measured on the last exchange with it. */
export interface ClockOffset {
  /** Their clock minus ours, in ms (positive: they are ahead). */
  offsetMs: number;
  /** The round trip of the measure: the offset is exact within half of it. */
  rttMs: number;
  /** Our wall clock when measured. */
  measuredAt: number;
}

interface Observation {
  /** Our monotonic clock when the entry arrived (a wall-clock jump here does not age it). */
  receivedAt: number;
  seenAgoMs: number;
  activeAgoMs: number;
}

export interface PresenceDeps {
  node: Libp2p;
  membership: Membership;
  logger: Logger;
  /** How often presence is exchanged with each connected member (the roster heartbeat). */
  intervalMs: number;
  /** Entries older than this are not relayed (the agent is offline by then anyway). */
  maxAgeMs: number;
  /** This host's software version, told to the members (the dashboard shows each member's). */
  version?: string;
}

/** What a member last said about itself: its version and whom it was connected to. */
export interface HostReport {
  version: string | null;
  connected: string[];
  /** Our monotonic clock when it arrived. */
  receivedAt: number;
}

/**
 * Agent liveness without document history (issue #20): every heartbeat interval each host
 * exchanges with each connected member the agents it knows to be live (its own sessions, and the
 * ones it heard of, relayed so hosts that cannot reach each other still learn of them). Each host
 * ages what it received on its own monotonic clock. Nothing is stored: a restarted host learns
 * the live agents at its first exchange. The same exchange measures the peer's clock offset.
 */
export class Presence {
  /** A peer sending malformed presence messages on every beat gets one line per interval. */
  private readonly badMessages = new RefusalLog();
  private readonly seen = new Map<string, Observation>();
  private readonly offsets = new Map<string, ClockOffset>();
  private readonly reports = new Map<string, HostReport>();
  private local: () => PresenceEntry[] = () => [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private offMembership: (() => void) | undefined;

  constructor(private readonly deps: PresenceDeps) {}

  /** The agents whose sessions this host holds (the roster supplies them once it starts). */
  setLocalSource(fn: () => PresenceEntry[]): void {
    this.local = fn;
  }

  async start(): Promise<void> {
    await this.deps.node.handle(PRESENCE_PROTOCOL, (stream, connection) => void this.serve(stream, connection), { maxInboundStreams: 32, maxOutboundStreams: 32 });
    this.deps.node.addEventListener('peer:connect', this.onConnect);
    // A host that joins is connected before it is a member (onConnect skips it then): greet it once admitted.
    this.offMembership = this.deps.membership.onChange(() => this.greetUnheard());
    this.timer = setInterval(() => this.beat(), this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.offMembership?.();
    this.deps.node.removeEventListener('peer:connect', this.onConnect);
    await this.deps.node.unhandle(PRESENCE_PROTOCOL).catch(() => undefined);
  }

  /** How long ago (ms) this host last heard that the agent's session was connected; undefined if never or too long. */
  observed(id: string): { seenAgoMs: number; activeAgoMs: number } | undefined {
    const o = this.seen.get(id);
    if (!o) return undefined;
    const held = performance.now() - o.receivedAt;
    return { seenAgoMs: Math.round(o.seenAgoMs + held), activeAgoMs: Math.round(o.activeAgoMs + held) };
  }

  /** Forgets an agent (its session ended: the roster document says so). */
  forget(id: string): void {
    this.seen.delete(id);
  }

  clockOffsets(): ReadonlyMap<string, ClockOffset> {
    return this.offsets;
  }

  /** Each member's last report of its version and connections (direct exchanges only, never relayed). */
  hostReports(): ReadonlyMap<string, HostReport> {
    return this.reports;
  }

  /** Exchanges presence with every connected member now (a session registered or resumed here). */
  announce(): void {
    if (this.stopped) return;
    for (const peer of this.connectedMembers()) void this.exchange(peer);
  }

  /**
   * Every interval: one exchange per pair of hosts, opened by the smaller peer id (an exchange
   * carries both sides' news, so the other side opening one too would only double the bytes).
   */
  private beat(): void {
    if (this.stopped) return;
    const self = this.deps.node.peerId.toString();
    for (const peer of this.connectedMembers()) if (self < peer) void this.exchange(peer);
  }

  /** Exchanges with connected members not heard from yet (their version and links are unknown until then). */
  private greetUnheard(): void {
    if (this.stopped) return;
    for (const peer of this.connectedMembers()) if (!this.reports.has(peer)) void this.exchange(peer);
  }

  private readonly onConnect = (evt: CustomEvent<{ toString(): string }>): void => {
    const peer = evt.detail.toString();
    // A peer that reconnects may have restarted with another clock: what was measured before is stale.
    this.offsets.delete(peer);
    if (this.deps.membership.isMember(peer)) void this.exchange(peer);
  };

  private connectedMembers(): string[] {
    const peers = new Set(this.deps.node.getConnections().map((c) => c.remotePeer.toString()));
    return [...peers].filter((p) => this.deps.membership.isMember(p));
  }

  /** What we tell a peer: our own sessions, and the live agents we heard of (aged, for relay). */
  private message(): PresenceMessage {
    const own = this.local();
    const ids = new Set(own.map((e) => e.id));
    const relayed: PresenceEntry[] = [];
    for (const id of this.seen.keys()) {
      const o = this.observed(id);
      if (!o || ids.has(id)) continue;
      if (o.seenAgoMs > this.deps.maxAgeMs) {
        this.seen.delete(id);
        continue;
      }
      relayed.push({ id, seen_ago_ms: o.seenAgoMs, active_ago_ms: o.activeAgoMs });
    }
    const agents = [...own, ...relayed].slice(0, MAX_PRESENCE_AGENTS).map((e) => ({ i: e.id, s: Math.round(e.seen_ago_ms), a: Math.round(e.active_ago_ms) }));
    return { t: 'presence', now: Date.now(), agents, ...(this.deps.version ? { v: this.deps.version } : {}), c: this.connectedMembers().slice(0, MAX_PRESENCE_LINKS) };
  }

  private receive(peer: string, msg: PresenceMessage): void {
    const at = performance.now();
    // Only members' reports are kept (both callers checked membership), so the map is bounded by the member list.
    const members = msg.c?.filter((p) => this.deps.membership.isMember(p)) ?? [];
    this.reports.set(peer, { version: msg.v ?? null, connected: members, receivedAt: at });
    for (const e of msg.agents) {
      const known = this.observed(e.i);
      // Keep the freshest news of each agent (a relay's copy may be older than a direct one).
      if (known && known.seenAgoMs <= e.s) continue;
      // A member inventing ids cannot grow this map without bound (stale entries go at each send).
      if (!known && this.seen.size >= MAX_PRESENCE_AGENTS * 4) continue;
      this.seen.set(e.i, { receivedAt: at, seenAgoMs: e.s, activeAgoMs: e.a });
    }
  }

  private async exchange(peer: string): Promise<void> {
    const signal = AbortSignal.timeout(PRESENCE_TIMEOUT_MS);
    let io: FramedStream | undefined;
    try {
      const stream = await this.deps.node.dialProtocol(peerIdFromString(peer), PRESENCE_PROTOCOL, { signal });
      io = new FramedStream(stream);
      const t0 = performance.now();
      const sentAt = Date.now();
      await io.send(this.message(), signal);
      const reply = await io.receive(PresenceMessage, signal);
      const rttMs = performance.now() - t0;
      // Their clock at the midpoint of the round trip, against ours then.
      this.offsets.set(peer, { offsetMs: Math.round(reply.now - (sentAt + rttMs / 2)), rttMs: Math.round(rttMs), measuredAt: Date.now() });
      this.receive(peer, reply);
    } catch (err) {
      this.deps.logger.debug({ peer, err: (err as Error).message }, 'presence exchange failed');
    } finally {
      await io?.close();
    }
  }

  private hasFreshRoundTrip(peer: string, now: number): boolean {
    const known = this.offsets.get(peer);
    return known !== undefined && known.rttMs > 0 && now - known.measuredAt < 2 * this.deps.intervalMs;
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const io = new FramedStream(stream);
    const signal = AbortSignal.timeout(PRESENCE_TIMEOUT_MS);
    try {
      if (!this.deps.membership.isMember(peer)) {
        io.abort('not a member');
        return;
      }
      const msg = await io.receive(PresenceMessage, signal);
      const receivedAt = Date.now();
      this.receive(peer, msg);
      await io.send(this.message(), signal);
      // The side that only answers measures one way (exact within the link's latency, which is far below the bound).
      // It keeps its own round-trip measure only while that is fresh: the larger peer id opens no
      // exchange on the beat, so a round-trip measure taken once (at connect) would otherwise stay
      // forever, and a peer whose clock was reset would keep its old offset (seen in CI, clocks.test).
      if (!this.hasFreshRoundTrip(peer, receivedAt)) this.offsets.set(peer, { offsetMs: Math.round(msg.now - receivedAt), rttMs: 0, measuredAt: receivedAt });
      await io.close();
    } catch (err) {
      const line = this.badMessages.shouldLog(peer);
      if (line) this.deps.logger.warn({ peer, err: (err as Error).message, ...line }, 'refused a presence message from a peer (logged once per 10 min per peer)');
      io.abort('bad presence message');
    }
  }
}
