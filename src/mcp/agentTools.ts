import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BroadcastDiscoveryInput, DelegateTaskInput, QueryAgentKnowledgeInput, RegisterAgentInput, RosterInput } from '../domain/agentSchemas.js';
import { agentLine, rosterText, taskLine } from './boardText.js';
import type { DaemonLink } from './DaemonLink.js';
import { SearchOut } from './outputSchemas.js';
import { guarded, listText, ok } from './results.js';

const AgentOut = z.looseObject({ id: z.string(), role: z.string(), machine: z.string(), status: z.string(), capabilities: z.array(z.string()) });
const RegisterOut = z.looseObject({ agent: AgentOut, inbox: z.array(z.looseObject({ id: z.string() })) });
const RosterOut = z.looseObject({ agents: z.array(AgentOut) });
const TaskRef = z.looseObject({ id: z.string(), title: z.string(), status: z.string() });
const DelegateOut = z.looseObject({ task: TaskRef, assigned_to: z.string().nullable(), reason: z.string() });
const BroadcastOut = z.looseObject({ memory_id: z.string(), delivered_to: z.array(z.string()) });

/** The agents group: the roster, delegation, what an agent knows, broadcasts. */
export function registerAgentTools(server: McpServer, link: DaemonLink): void {
  server.registerTool(
    'register_agent',
    {
      title: 'Register this agent',
      description:
        'Join the team roster as an agent with a role and capabilities, so other agents can see you and delegate work to you. Call it once at the start of a session (again to change role or capabilities: the id stays). While this session is connected you show as active on every host. Returns your agent id and unread broadcasts.',
      inputSchema: RegisterAgentInput,
      outputSchema: RegisterOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('agent.register', args);
      link.bindAgent(r.agent.id);
      const inbox = r.inbox.length ? `\n\n${listText('Inbox: recent broadcasts from other agents', r.inbox)}` : '';
      return ok(`Registered as ${agentLine(r.agent)}.${inbox}`, { ...r });
    }),
  );

  server.registerTool(
    'get_agent_roster',
    {
      title: 'Agent roster',
      description: 'List the agents of the team on every host: role, machine, capabilities, status (active, idle, offline by heartbeat age) and open tasks. Filter by machine, role, capability or status.',
      inputSchema: RosterInput,
      outputSchema: RosterOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('agent.roster', args);
      return ok(rosterText(r.agents), { ...r });
    }),
  );

  server.registerTool(
    'delegate_task',
    {
      title: 'Delegate a task',
      description:
        'Hand work to the best available agent: one that is live and has every required capability, preferring active agents and the lightest load. Creates a kanban task assigned to it and says why it was chosen; with no match the task is left unassigned on the board. target_agent assigns to that agent instead.',
      inputSchema: DelegateTaskInput,
      outputSchema: DelegateOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('agent.delegate', args);
      const head = r.assigned_to ? `Delegated to ${r.assigned_to}.` : 'No agent matched; the task is on the board unassigned.';
      return ok(`${head}\nWhy: ${r.reason}\nTask: ${taskLine(r.task)}`, { ...r });
    }),
  );

  server.registerTool(
    'query_agent_knowledge',
    {
      title: "Search an agent's memories",
      description: 'Search only the memories a given agent wrote (by meaning and keywords), to learn what it found or decided.',
      inputSchema: QueryAgentKnowledgeInput,
      outputSchema: SearchOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('agent.knowledge', args);
      return ok(listText(`What ${r.agent.id} (${r.agent.role} on ${r.agent.machine}, ${r.agent.status}) wrote about "${args.query}"`, r.results), { ...r });
    }),
  );

  server.registerTool(
    'broadcast_discovery',
    {
      title: 'Broadcast a discovery',
      description:
        "Tell every agent something now: stores it as a memory (tagged broadcast and the severity) and puts it in every agent's inbox, shown with get_recent_memories and at registration.",
      inputSchema: BroadcastDiscoveryInput,
      outputSchema: BroadcastOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('agent.broadcast', args);
      return ok(`Broadcast ${r.memory_id} (${args.severity}); ${r.delivered_to.length} live agent${r.delivered_to.length === 1 ? '' : 's'} will see it in their inbox.`, { ...r });
    }),
  );
}
