import { randomBytes } from 'node:crypto';
import * as A from '@automerge/automerge';
import { capabilitiesForMachine, type CapabilityGroup } from '../config/capabilityGroups.js';
import { AGENT_FORMAT_VERSION, BROADCAST_TAG, INBOX_BACKLOG_MS, INBOX_PAGE, MAX_LIST_LIMIT } from '../constants.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { CollectionViews } from '../store/CollectionViews.js';
import type { DocStore } from '../store/DocStore.js';
import type { Tombstone } from '../store/types.js';
import type { Actor } from '../types.js';
import { agentStatus, normaliseCapability, toAgentView, type AgentDoc, type AgentView, type LivenessThresholds, type RosterEntry } from './Agent.js';
import type { RegisterAgentInput, RosterInput } from './agentSchemas.js';
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
  heartbeatMs: number;
  thresholds: LivenessThresholds;
  /** Open tasks per agent id, from the board (injected: the roster does not know the board). */
  openTasks: (agentId: string) => number;
  /** Offline agents whose last heartbeat is older than this are forgotten (erased) by the sweep. */
  forgetAfterMs: number;
  signTombstone: (collection: string, id: string, tomb: Tombstone) => Promise<Tombstone>;
  now?: () => number;
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
 * The agent roster. Each registered agent is one replicated document; the host whose MCP session
 * registered it writes a heartbeat into it while the session is connected and marks it ended when
 * the session goes, so every host reads the same liveness from the same document.
 */
export class RosterService {
  private readonly agents: CollectionViews<AgentView>;
  /** Agents registered by sessions connected to this daemon, by agent id. */
  private readonly bindings = new Map<string, Binding>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: RosterDeps) {
    this.now = deps.now ?? Date.now;
    this.agents = new CollectionViews<AgentView>(deps.store, 'agents');
  }

  async start(): Promise<void> {
    await this.agents.start();
    this.timer = setInterval(() => void this.heartbeat(), this.deps.heartbeatMs);
    this.timer.unref();
  }

  /** Stops beating; sessions still connected are marked ended, so other hosts see them offline at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.agents.stop();
    const ids = [...this.bindings.keys()];
    this.bindings.clear();
    await Promise.all(ids.map((id) => this.end(id).catch((err: unknown) => this.deps.logger.warn({ err, id }, 'could not mark an agent ended'))));
  }

  /** Registers the calling session as an agent, or updates the agent it registered before (same id). */
  async register(input: RegisterAgentInput, ref: SessionRef, actor: Actor): Promise<RosterEntry> {
    if (!ref.session) throw new InvalidInputError('register_agent needs an MCP session (mesh mcp); the CLI cannot register agents');
    const existing = ref.agentId && this.agents.get(ref.agentId)?.session === ref.session ? ref.agentId : this.agentOfSession(ref.session);
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
        d.session = ref.session!;
        d.last_seen = now;
        d.last_active = now;
        d.ended_at = null;
        d.updated_at = now;
      });
      return { doc, view: toAgentView(doc), scope: 'mesh' };
    });
    this.bindings.set(id, { session: ref.session, lastActive: now });
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
    if (binding) {
      binding.lastActive = this.now();
      return;
    }
    const view = this.agents.get(ref.agentId);
    if (!view || view.session !== ref.session || view.machine !== this.deps.machine) return;
    this.bindings.set(ref.agentId, { session: ref.session, lastActive: this.now() });
    this.deps.logger.info({ id: ref.agentId }, 'agent session resumed');
    await this.beat(ref.agentId);
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
    const { status, heartbeatAgeMs } = agentStatus(view, this.now(), this.deps.thresholds);
    return { ...view, status, heartbeat_age_s: Math.round(heartbeatAgeMs / 100) / 10, open_tasks: this.deps.openTasks(id) };
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
   * grow by one entry per session forever. Any host may do it (erasure is idempotent across
   * hosts); their memories and task history keep the id as text. Returns the ids forgotten.
   */
  async forgetStale(actor: Actor): Promise<string[]> {
    const now = this.now();
    const stale = this.roster().filter((a) => a.status === 'offline' && !this.bindings.has(a.id) && now - Date.parse(a.last_seen) > this.deps.forgetAfterMs);
    for (const a of stale) {
      const tomb = await this.deps.signTombstone('agents', a.id, { erasedAt: now, machine: actor.machine, agent: actor.agent, reason: 'offline past roster.forgetAfterDays' });
      await this.deps.store.erase('agents', a.id, tomb);
    }
    if (stale.length) this.deps.logger.info({ forgotten: stale.length }, 'forgot agents offline past the roster horizon');
    return stale.map((a) => a.id);
  }

  /** Live agents other than `except`: who a broadcast reaches now. */
  liveAgents(except?: string): RosterEntry[] {
    return this.roster().filter((a) => a.status !== 'offline' && a.id !== except);
  }

  private agentOfSession(session: string): string | undefined {
    for (const [id, b] of this.bindings) if (b.session === session) return id;
    return undefined;
  }

  private async heartbeat(): Promise<void> {
    await Promise.all([...this.bindings.keys()].map((id) => this.beat(id).catch((err: unknown) => this.deps.logger.warn({ err, id }, 'heartbeat write failed'))));
  }

  private async beat(id: string): Promise<void> {
    const binding = this.bindings.get(id);
    if (!binding) return;
    const now = this.now();
    await this.deps.store.mutate<AgentDoc>('agents', id, (current) => {
      if (!current) return undefined;
      const doc = A.change(current, changeOptions<AgentDoc>({ machine: this.deps.machine, agent: id }, 'heartbeat', now), (d) => {
        d.last_seen = now;
        if (d.last_active !== binding.lastActive) d.last_active = binding.lastActive;
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

