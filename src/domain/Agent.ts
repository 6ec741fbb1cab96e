import { z } from 'zod';

/** The Automerge document of one registered agent session. Times are epoch milliseconds. */
export interface AgentDoc {
  v: number;
  id: string;
  role: string;
  description: string;
  /** Declared by the agent plus those of its machine's capability groups. */
  capabilities: string[];
  declared_capabilities: string[];
  capability_groups: string[];
  machine: string;
  /** The MCP client that registered it (`claude-code@2.1`), for people reading the roster. */
  client: string;
  session: string;
  registered_at: number;
  /** Written by the agent's host at registration, resume and end (liveness itself is ephemeral presence). */
  last_seen: number;
  /** The agent's last call, as of registration or resume. */
  last_active: number;
  /** Set when the session disconnects: offline at once, without waiting for the heartbeat to age. */
  ended_at: number | null;
  /** Broadcasts created after this are unread. */
  inbox_read_at: number;
  updated_at: number;
}

export const AGENT_STATUSES = ['active', 'idle', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** An agent as tools show it and as stored beside its document (liveness is computed on read). */
export const AgentViewSchema = z.object({
  id: z.string().max(128),
  role: z.string().max(100),
  description: z.string().max(2_000),
  capabilities: z.array(z.string().max(64)).max(256),
  declared_capabilities: z.array(z.string().max(64)).max(256),
  capability_groups: z.array(z.string().max(64)).max(256),
  machine: z.string().max(200),
  client: z.string().max(200),
  session: z.string().max(200),
  registered_at: z.string(),
  last_seen: z.string(),
  last_active: z.string(),
  ended_at: z.string().nullable(),
  inbox_read_at: z.number(),
  format_version: z.number(),
});
export type AgentView = z.infer<typeof AgentViewSchema>;

/** A roster entry: the stored view plus its liveness, as of the moment it was read. */
export interface RosterEntry extends AgentView {
  status: AgentStatus;
  /** Seconds since this host last heard the session was connected; null when not since it started. */
  heartbeat_age_s: number | null;
  open_tasks: number;
}

export function toAgentView(doc: AgentDoc): AgentView {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: String(doc.id),
    role: String(doc.role),
    description: String(doc.description),
    capabilities: [...doc.capabilities].map(String),
    declared_capabilities: [...doc.declared_capabilities].map(String),
    capability_groups: [...doc.capability_groups].map(String),
    machine: String(doc.machine),
    client: String(doc.client),
    session: String(doc.session),
    registered_at: iso(doc.registered_at),
    last_seen: iso(doc.last_seen),
    last_active: iso(doc.last_active),
    ended_at: doc.ended_at === null ? null : iso(doc.ended_at),
    inbox_read_at: doc.inbox_read_at,
    format_version: doc.v,
  };
}

export interface LivenessThresholds {
  offlineAfterMs: number;
  idleAfterMs: number;
}

/**
 * Liveness from this host's own observation of the session (`seen`: how long ago it last knew the
 * session connected, and its last call; see RosterService.observed), never from another host's
 * time stamps: offline once the session ended, or when not heard of for `offlineAfterMs` (its
 * host died or is cut off) or never since this host started; idle when alive but without a call
 * for a while; active otherwise.
 */
export function agentStatus(view: AgentView, seen: { seenAgoMs: number; activeAgoMs: number } | undefined, t: LivenessThresholds): { status: AgentStatus; heartbeatAgeMs: number | null } {
  const heartbeatAgeMs = seen ? Math.max(0, seen.seenAgoMs) : null;
  if (view.ended_at !== null || heartbeatAgeMs === null || heartbeatAgeMs > t.offlineAfterMs) return { status: 'offline', heartbeatAgeMs };
  if (seen!.activeAgoMs > t.idleAfterMs) return { status: 'idle', heartbeatAgeMs };
  return { status: 'active', heartbeatAgeMs };
}

/** Capabilities compare case-insensitively and without surrounding blanks. */
export function normaliseCapability(c: string): string {
  return c.trim().toLowerCase();
}
