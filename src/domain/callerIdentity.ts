import { createHash } from 'node:crypto';

/**
 * Who a caller is, as the daemon records it on writes (issue #20: an MCP client could name
 * itself after another session's agent and have its writes credited to that agent).
 *
 * - A session is an agent only after it registered: the daemon holds the binding of agent id to
 *   session id, and credits writes to the agent only when the call carries both.
 * - Session ids are secrets of the MCP process and its daemon; roster documents (read by every
 *   member and shown by list_agents) keep only a hash of them, so no one can copy a session id to
 *   resume someone else's agent.
 * - Any other caller is recorded under its client name, changed when needed so that it can never
 *   be mistaken for an agent id.
 */

/** Registered agent ids: `<role>-<machine>-<6 hex>`, lowercase letters, digits and dashes. */
const AGENT_ID_SHAPE = /^[a-z0-9-]+-[0-9a-f]{6}$/;

/** What roster documents store instead of a session id: its SHA-256, cut to 32 hex characters. */
export function sessionTag(session: string): string {
  return createHash('sha256').update(`hivemesh/session/1\n${session}`).digest('hex').slice(0, 32);
}

/** An unregistered caller's name, marked so it cannot collide with a registered agent id. */
export function unregisteredName(clientName: string, isAgentId: (name: string) => boolean): string {
  const name = clientName.trim().slice(0, 180) || 'unnamed-client';
  return AGENT_ID_SHAPE.test(name.toLowerCase()) || isAgentId(name) ? `${name} (unregistered)` : name;
}
