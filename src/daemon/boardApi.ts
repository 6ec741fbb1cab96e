import { BROADCAST_TAG, DEFAULT_SEARCH_LIMIT } from '../constants.js';
import { BroadcastDiscoveryInput, DelegateTaskInput, QueryAgentKnowledgeInput, RegisterAgentInput, RosterInput } from '../domain/agentSchemas.js';
import { normaliseCapability, type RosterEntry } from '../domain/Agent.js';
import { chooseAgent, type DelegationChoice } from '../domain/delegation.js';
import type { MemoryService } from '../domain/MemoryService.js';
import { EmptyInput } from '../domain/memorySchemas.js';
import type { RosterService, SessionRef } from '../domain/RosterService.js';
import type { TaskService } from '../domain/TaskService.js';
import { AssignTaskInput, CreateTaskInput, DeleteTaskInput, GetTaskInput, ListTasksInput, TaskAnalyticsInput, UpdateTaskInput } from '../domain/taskSchemas.js';
import type { CallContext } from '../ipc/messages.js';
import { method, methods } from './method.js';
import { fitTextsToBudget, fitToBudget } from '../domain/replyBudget.js';

export interface BoardApiDeps {
  roster: RosterService;
  tasks: TaskService;
  memories: MemoryService;
}

export function sessionRef(ctx: CallContext): SessionRef {
  return { session: ctx.session, agentId: ctx.agent_id, client: ctx.agent };
}

/** Title of a delegated card: the description's first line, cut to a card's width. */
function titleOf(description: string): string {
  const first = description.trim().split('\n')[0]!.trim();
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

/** delegate_task with target_agent: assign as asked, warning when the agent is offline or lacks a capability. */
function targeted(target: RosterEntry, required: readonly string[]): DelegationChoice {
  const missing = required.filter((c) => !target.capabilities.includes(normaliseCapability(c)));
  const notes = [target.status === 'offline' ? 'it is offline' : '', ...missing.map((c) => `it lacks ${c}`)].filter(Boolean);
  return { chosen: target, reason: `assigned to ${target.id} as asked${notes.length ? ` (warning: ${notes.join('; ')})` : ''}`, candidates: [] };
}

/** The socket API of the roster (agent.*) and the board (task.*). */
export function buildBoardApi({ roster, tasks, memories }: BoardApiDeps) {
  return methods({
    'agent.register': method(RegisterAgentInput, async (p, a, ctx) => {
      const agent = await roster.register(p, sessionRef(ctx), a);
      const inbox = await roster.readInbox(agent.id, { ...a, agent: agent.id });
      return { agent, inbox };
    }),
    'agent.resume': method(EmptyInput, (_p, _a, ctx) => ({ agent_id: ctx.agent_id ?? null })),
    'agent.roster': method(RosterInput, (p) => ({ agents: roster.roster(p) })),
    'agent.get': method(QueryAgentKnowledgeInput.pick({ agent_id: true }), (p) => roster.entry(p.agent_id)),
    'agent.delegate': method(DelegateTaskInput, async (p, a) => {
      const decision = p.target_agent === undefined ? chooseAgent(roster.roster(), p.required_capabilities) : targeted(roster.entry(p.target_agent), p.required_capabilities);
      const assignee = decision.chosen?.id;
      const task = await tasks.create(
        { title: titleOf(p.task_description), description: p.task_description, priority: p.priority, required_capabilities: p.required_capabilities, assignee, project: p.project },
        a,
        `delegated: ${decision.reason}`,
      );
      return { task, assigned_to: assignee ?? null, reason: decision.reason, candidates: decision.candidates };
    }),
    'agent.knowledge': method(QueryAgentKnowledgeInput, async (p) => {
      const agent = roster.entry(p.agent_id);
      const found = await memories.search({ query: p.query, agent: agent.id, limit: p.limit ?? DEFAULT_SEARCH_LIMIT });
      return { agent: { id: agent.id, role: agent.role, machine: agent.machine, status: agent.status }, ...found, ...fitToBudget(found.results) };
    }),
    'agent.broadcast': method(BroadcastDiscoveryInput, async (p, a, ctx) => {
      const memory = await memories.store(
        { content: p.message, category: p.category ?? 'global', tags: [BROADCAST_TAG, p.severity], project: p.project, metadata: { broadcast: { severity: p.severity, from: a.agent } } },
        a,
      );
      const reached = roster.liveAgents(ctx.agent_id).map((x) => x.id);
      return { memory_id: memory.id, memory, severity: p.severity, delivered_to: reached };
    }),
    'task.create': method(CreateTaskInput, (p, a) => tasks.create(p, a)),
    'task.assign': method(AssignTaskInput, (p, a, ctx) => tasks.assign(p, ctx.agent_id, a)),
    'task.update': method(UpdateTaskInput, (p, a) => tasks.update(p, a)),
    'task.get': method(GetTaskInput, (p) => tasks.get(p.task_id)),
    'task.list': method(ListTasksInput, (p) => {
      // A page of the board, with its descriptions cut to fit one reply frame when they are long.
      const { tasks: page, ...rest } = tasks.list(p);
      const { results, ...cut } = fitTextsToBudget(page, 'description');
      return { ...rest, tasks: results, ...cut };
    }),
    'task.delete': method(DeleteTaskInput, (p, a) => tasks.delete(p, a)),
    'task.analytics': method(TaskAnalyticsInput, (p) => tasks.analytics(p)),
  });
}
