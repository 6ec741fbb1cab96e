import { randomBytes } from 'node:crypto';
import * as A from '@automerge/automerge';
import { capabilitiesForMachine, type CapabilityGroup } from '../config/capabilityGroups.js';
import { AGENT_FORGET_START_GRACE_MS, AGENT_FORMAT_VERSION, BROADCAST_TAG, INBOX_BACKLOG_MS, INBOX_PAGE, MAX_LIST_LIMIT } from '../constants.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { CollectionViews } from '../store/CollectionViews.js';
import type { DocStore } from '../store/DocStore.js';
import type { Eraser } from './Eraser.js';
import type { Actor } from '../types.js';
import { agentStatus, normaliseCapability, toAgentView, type AgentDoc, type AgentView, type LivenessThresholds, type RosterEntry } from './Agent.js';
import type { RegisterAgentInput, RosterInput } from './agentSchemas.js';
import { sessionTag, unregisteredName } from './callerIdentity.js';
import { changeOptions } from './changeOptions.js';
import type { Memory } from './Memory.js';
import type { MemoryService } from './MemoryService.js';

export interface RosterDeps {
  store: DocStore;
  memories: MemoryService;
  logger: Logger;
  actorId: string;
  machine: string;
  groups: readonly CapabilityGroup[];
  thresholds: LivenessThresholds;
  /** Open tasks per agent id, from the board (injected: the roster does not know the board). */
  openTasks: (agentId: string) => number;
  /** Offline agents whose last heartbeat is older than this are forgotten (erased) by the sweep. */
  forgetAfterMs: number;
  /** The one erasure path (sign a tombstone, erase, then the after-erase step): Eraser.ts. */
  eraser: Eraser;
  /** Agent presence heard from other hosts (absent when replication is not running). */
  presence?: () => PresenceLink | undefined;
  /** Is a host of this name still a member of the mesh? Agents of hosts that left may be forgotten by anyone. */
  hostIsMember?: (machine: string) => boolean;
  now?: () => number;
  /** Monotonic milliseconds (performance.now): how long this daemon has run, whatever the wall clock does. */
  monotonic?: () => number;
}

/** What the roster needs of the presence exchange (src/sync/Presence.ts). */
export interface PresenceLink {
  observed(id: string): { seenAgoMs: number; activeAgoMs: number } | undefined;
  setLocalSource(fn: () => { id: string; seen_ago_ms: number; active_ago_ms: number }[]): void;
  announce(): void;
}

/** The calling session, as the socket API knows it. */
export interface SessionRef {
  session: string | undefined;
  agentId: string | undefined;
  client: string;
}

interface Binding {
  session: string;
  lastActive: number;
}

/**
 * The agent roster. Each registered agent is one replicated document, written by the host whose
 * MCP session registered it at registration, resume and end. Liveness is not in the document:
 * each host judges it from its own observations (its own sessions, and the presence exchange
 * with other hosts, aged on its own clock), so a host with a wrong clock cannot make another's
 * agents look offline, and heartbeats add nothing to any document's history.
 */
export class RosterService {
  private readonly agents: CollectionViews<AgentView>;
  /** Agents registered by sessions connected to this daemon, by agent id. */
  private readonly bindings = new Map<string, Binding>();
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private readonly startedAt: number;

  constructor(private readonly deps: RosterDeps) {
    this.now = deps.now ?? Date.now;
    this.monotonic = deps.monotonic ?? (() => performance.now());
    this.startedAt = this.monotonic();
    this.agents = new CollectionViews<AgentView>(deps.store, 'agents');
  }

  async start(): Promise<void> {
    await this.agents.start();
    this.deps.presence?.()?.setLocalSource(() => this.localPresence());
  }

  /** Stops beating; sessions still connected are marked ended, so other hosts see them offline at once. */
  async stop(): Promise<void> {
    this.agents.stop();
    const ids = [...this.bindings.keys()];
    this.bindings.clear();
    await Promise.all(ids.map((id) => this.end(id).catch((err: unknown) => this.deps.logger.warn({ err, id }, 'could not mark an agent ended'))));
  }

  /** Registers the calling session as an agent, or updates the agent it registered before (same id). */
  async register(input: RegisterAgentInput, ref: SessionRef, actor: Actor): Promise<RosterEntry> {
    if (!ref.session) throw new InvalidInputError('register_agent needs an MCP session (mesh mcp); the CLI cannot register agents');
    const tag = sessionTag(ref.session);
    const existing = ref.agentId && this.agents.get(ref.agentId)?.session === tag ? ref.agentId : this.agentOfSession(ref.session);
    const declared = [...new Set((input.capabilities ?? []).map(normaliseCapability))];
    const matched = capabilitiesForMachine(this.deps.groups, this.deps.machine);
    const capabilities = [...new Set([...declared, ...matched.capabilities.map(normaliseCapability)])];
    const now = this.now();
    const id = existing ?? agentIdFor(input.role, this.deps.machine);
    await this.deps.store.mutate<AgentDoc>('agents', id, (current) => {
      const base = current ?? A.init<AgentDoc>({ actor: this.deps.actorId });
      const doc = A.change(base, changeOptions<AgentDoc>({ ...actor, agent: id }, current ? 'reregister' : 'register', now), (d) => {
        if (!current) {
          d.v = AGENT_FORMAT_VERSION;
          d.id = id;
          d.machine = this.deps.machine;
          d.registered_at = now;
          d.inbox_read_at = now - INBOX_BACKLOG_MS;
        }
        d.role = input.role;
        d.description = input.description ?? '';
        d.capabilities = capabilities;
        d.declared_capabilities = declared;
        d.capability_groups = matched.groups;
        d.client = ref.client;
        d.session = tag;
        d.last_seen = now;
        d.last_active = now;
        d.ended_at = null;
        d.updated_at = now;
      });
      return { doc, view: toAgentView(doc), scope: 'mesh' };
    });
    this.bindings.set(id, { session: ref.session, lastActive: now });
    this.deps.presence?.()?.announce();
    this.deps.logger.info({ id, role: input.role, capabilities }, existing ? 'agent re-registered' : 'agent registered');
    return this.entry(id);
  }

  /**
   * Every request of a registered session passes here: it counts as activity and re-binds the
   * session after a daemon restart (the MCP server reconnects and names its agent).
   */
  async touch(ref: SessionRef): Promise<void> {
    if (!ref.agentId || !ref.session) return;
    const binding = this.bindings.get(ref.agentId);
    const view = this.agents.get(ref.agentId);
    if (binding && !view) {
      // Erased (by a host that forgot it): the session is no longer that agent; it registers again.
      this.bindings.delete(ref.agentId);
      return;
    }
    if (binding) {
      if (binding.session === ref.session) binding.lastActive = this.now();
      return;
    }
    if (!view || view.session !== sessionTag(ref.session) || view.machine !== this.deps.machine) return;
    this.bindings.set(ref.agentId, { session: ref.session, lastActive: this.now() });
    this.deps.logger.info({ id: ref.agentId }, 'agent session resumed');
    await this.resume(ref.agentId);
    this.deps.presence?.()?.announce();
  }

  /**
   * The agent a call is made as: the registered agent only when this daemon bound it to the
   * call's session; otherwise the client's own name, marked so it never reads as an agent id.
   */
  caller(ref: SessionRef): { agent: string; agentId: string | undefined } {
    const id = ref.agentId;
    if (id && ref.session && this.bindings.get(id)?.session === ref.session && this.agents.has(id)) return { agent: id, agentId: id };
    return { agent: unregisteredName(ref.client, (name) => this.agents.has(name)), agentId: undefined };
  }

  /** The socket of a session closed: its agent goes offline now rather than when its heartbeat ages. */
  async sessionClosed(session: string): Promise<void> {
    for (const [id, b] of this.bindings) {
      if (b.session !== session) continue;
      this.bindings.delete(id);
      await this.end(id);
    }
  }

  roster(filter: RosterInput = {}): RosterEntry[] {
    const capability = filter.capability ? normaliseCapability(filter.capability) : undefined;
    const out = [...this.agents.keys()]
      .map((id) => this.entry(id))
      .filter(
        (a) =>
          (filter.machine === undefined || a.machine === filter.machine) &&
          (filter.role === undefined || a.role === filter.role) &&
          (capability === undefined || a.capabilities.includes(capability)) &&
          (filter.status === undefined || a.status === filter.status),
      )
      .sort((a, b) => statusRank(a) - statusRank(b) || (a.id < b.id ? -1 : 1));
    return filter.limit ? out.slice(0, filter.limit) : out;
  }

  entry(id: string): RosterEntry {
    const view = this.agents.get(id);
    if (!view) throw new NotFoundError('agent', id);
    const seen = this.observed(id);
    const { status, heartbeatAgeMs } = agentStatus(view, seen, this.deps.thresholds);
    // last_seen as this host observed it, on its own clock; the document's value when never heard of here.
    const lastSeen = seen ? new Date(this.now() - seen.seenAgoMs).toISOString() : view.last_seen;
    return { ...view, last_seen: lastSeen, status, heartbeat_age_s: heartbeatAgeMs === null ? null : Math.round(heartbeatAgeMs / 100) / 10, open_tasks: this.deps.openTasks(id) };
  }

  has(id: string): boolean {
    return this.agents.has(id);
  }

  /**
   * Unread broadcasts of an agent (from other agents, oldest first), marking them read. A
   * broadcast is a memory tagged `broadcast`; reading moves the agent's inbox mark forward.
   */
  async readInbox(agentId: string, actor: Actor): Promise<Memory[]> {
    const view = this.agents.get(agentId);
    if (!view) return [];
    const since = view.inbox_read_at + 1;
    const unread = (await this.deps.memories.listLive({ tags: [BROADCAST_TAG], since }, MAX_LIST_LIMIT))
      .filter((m) => m.agent !== agentId && Date.parse(m.created_at) >= since)
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
      .slice(0, INBOX_PAGE);
    if (unread.length === 0) return [];
    const mark = Date.parse(unread[unread.length - 1]!.created_at);
    await this.deps.store.mutate<AgentDoc>('agents', agentId, (current) => {
      if (!current || current.inbox_read_at >= mark) return undefined;
      const doc = A.change(current, changeOptions<AgentDoc>(actor, 'inbox-read', this.now()), (d) => {
        d.inbox_read_at = mark;
      });
      return { doc, view: toAgentView(doc), scope: 'mesh' };
    });
    return unread;
  }

  /**
   * Erases agents that have been offline for longer than `forgetAfterMs`, so the roster does not
   * grow by one entry per session forever. Decided by the agent's own host, on its own clock
   * against times it wrote itself (registration, resume, end), never by comparing another host's
   * time stamps with this clock; an agent whose host has left the mesh may be forgotten by any
   * host once it is offline here. A bound session is never forgotten, and nothing is in the first
   * AGENT_FORGET_START_GRACE_MS of a run (sessions re-bind first). Returns the ids forgotten.
   */
  async forgetStale(actor: Actor): Promise<string[]> {
    if (this.monotonic() - this.startedAt < AGENT_FORGET_START_GRACE_MS) return [];
    const now = this.now();
    const stale = this.roster().filter((a) => {
      if (a.status !== 'offline' || this.bindings.has(a.id)) return false;
      if (a.machine !== this.deps.machine) return this.deps.hostIsMember?.(a.machine) === false;
      const doc = this.agents.get(a.id)!;
      const lastOwnWrite = Math.max(Date.parse(doc.last_seen), doc.ended_at ? Date.parse(doc.ended_at) : 0, Date.parse(doc.registered_at));
      return now - lastOwnWrite > this.deps.forgetAfterMs;
    });
    await this.deps.eraser.batch(async () => {
      for (const a of stale) await this.deps.eraser.erase('agents', a.id, actor, now, { reason: 'offline past roster.forgetAfterDays' });
    });
    if (stale.length) this.deps.logger.info({ forgotten: stale.length }, 'forgot agents offline past the roster horizon');
    return stale.map((a) => a.id);
  }

  /** Live agents other than `except`: who a broadcast reaches now. */
  liveAgents(except?: string): RosterEntry[] {
    return this.roster().filter((a) => a.status !== 'offline' && a.id !== except);
  }

  private agentOfSession(session: string): string | undefined {
    for (const [id, b] of this.bindings) if (b.session === session) return id;
    // A session that comes back after its socket closed (the CLI's stable `cli:<user>` session)
    // finds the agent it registered on this host before, by the tag its document keeps.
    const tag = sessionTag(session);
    for (const [id, a] of this.agents.asMap()) if (a.session === tag && a.machine === this.deps.machine) return id;
    return undefined;
  }

  /**
   * How long ago this host last knew the agent's session connected: at once for sessions bound
   * here, else what the presence exchange heard (aged on this host's monotonic clock).
   */
  private observed(id: string): { seenAgoMs: number; activeAgoMs: number } | undefined {
    const binding = this.bindings.get(id);
    if (binding) return { seenAgoMs: 0, activeAgoMs: Math.max(0, this.now() - binding.lastActive) };
    return this.deps.presence?.()?.observed(id);
  }

  /** The sessions this host holds, for the presence exchange. */
  private localPresence(): { id: string; seen_ago_ms: number; active_ago_ms: number }[] {
    const now = this.now();
    return [...this.bindings].filter(([id]) => this.agents.has(id)).map(([id, b]) => ({ id, seen_ago_ms: 0, active_ago_ms: Math.max(0, Math.round(now - b.lastActive)) }));
  }

  /** A session re-bound after a daemon restart: one write to say it is connected again (not a heartbeat: presence carries those). */
  private async resume(id: string): Promise<void> {
    const now = this.now();
    await this.deps.store.mutate<AgentDoc>('agents', id, (current) => {
      if (!current) return undefined;
      const doc = A.change(current, changeOptions<AgentDoc>({ machine: this.deps.machine, agent: id }, 'resume', now), (d) => {
        d.last_seen = now;
        d.last_active = now;
        if (d.ended_at !== null) d.ended_at = null;
      });
      return { doc, view: toAgentView(doc), scope: 'mesh' };
    });
  }

  private async end(id: string): Promise<void> {
    const now = this.now();
    await this.deps.store.mutate<AgentDoc>('agents', id, (current) => {
      if (!current || current.ended_at !== null) return undefined;
      const doc = A.change(current, changeOptions<AgentDoc>({ machine: this.deps.machine, agent: id }, 'session-ended', now), (d) => {
        d.last_seen = now;
        d.ended_at = now;
      });
      return { doc, view: toAgentView(doc), scope: 'mesh' };
    });
    this.deps.logger.info({ id }, 'agent session ended');
  }
}

const STATUS_RANK = { active: 0, idle: 1, offline: 2 } as const;
function statusRank(a: RosterEntry): number {
  return STATUS_RANK[a.status];
}

/** Readable and unique: `reviewer-devbox-3fa2c1`. */
function agentIdFor(role: string, machine: string): string {
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'agent';
  return `${slug(role)}-${slug(machine)}-${randomBytes(3).toString('hex')}`;
}

