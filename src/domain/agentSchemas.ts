import { z } from 'zod';
import { MAX_CAPABILITIES, MAX_CONTENT_CHARS, MAX_LIST_LIMIT, MAX_SEARCH_LIMIT } from '../constants.js';
import { AGENT_STATUSES } from './Agent.js';
import { TASK_PRIORITIES } from './TaskDoc.js';

/** Input schemas of the agents group, shared by MCP, the CLI and the socket API. */
export const capability = z.string().trim().min(1).max(64).describe('A capability name, e.g. "elasticsearch", "postgres", "code-review".');
export const capabilities = z.array(capability).max(MAX_CAPABILITIES);
export const agentId = z.string().min(1).max(128).describe('An agent id, as returned by register_agent or listed by get_agent_roster.');

export const RegisterAgentInput = z.object({
  role: z.string().trim().min(1, 'role must not be empty').max(100).describe('What this agent does, in a word or two: "reviewer", "sre", "indexer".'),
  description: z.string().max(2_000).optional().describe('A sentence on what it is working on or good at.'),
  capabilities: capabilities.optional().describe('What it can do; the capability groups of this machine are added (see get_agent_roster).'),
});
export type RegisterAgentInput = z.infer<typeof RegisterAgentInput>;

export const RosterInput = z.object({
  machine: z.string().max(200).optional().describe('Only agents on this machine.'),
  role: z.string().max(100).optional().describe('Only agents with this role.'),
  capability: capability.optional().describe('Only agents with this capability.'),
  status: z.enum(AGENT_STATUSES).optional().describe('Only agents in this state: active, idle (alive, no recent calls) or offline.'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe('Maximum agents (default all, up to 500).'),
});
export type RosterInput = z.infer<typeof RosterInput>;

export const DelegateTaskInput = z.object({
  task_description: z.string().trim().min(1, 'task_description must not be empty').max(MAX_CONTENT_CHARS).describe('The work to hand over; its first line becomes the card title.'),
  required_capabilities: capabilities.describe('Capabilities the assignee must all have (may be empty).'),
  priority: z.enum(TASK_PRIORITIES).optional().describe('low, medium (default), high or critical.'),
  target_agent: agentId.optional().describe('Assign to this agent instead of choosing one.'),
  project: z.string().max(200).optional().describe('Project the task belongs to.'),
});
export type DelegateTaskInput = z.infer<typeof DelegateTaskInput>;

export const QueryAgentKnowledgeInput = z.object({
  agent_id: agentId,
  query: z.string().min(1, 'query must not be empty').max(2_000).describe('What to look for among the memories that agent wrote.'),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe('Maximum results (default 10).'),
});
export type QueryAgentKnowledgeInput = z.infer<typeof QueryAgentKnowledgeInput>;

export const SEVERITIES = ['info', 'warning', 'critical'] as const;

export const BroadcastDiscoveryInput = z.object({
  message: z.string().trim().min(1, 'message must not be empty').max(MAX_CONTENT_CHARS).describe('What every agent should know now.'),
  category: z.string().min(1).max(40).optional().describe('Memory category (default "global").'),
  severity: z.enum(SEVERITIES).describe('info, warning or critical.'),
  project: z.string().max(200).optional(),
});
export type BroadcastDiscoveryInput = z.infer<typeof BroadcastDiscoveryInput>;
