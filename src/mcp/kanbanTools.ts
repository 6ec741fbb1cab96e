import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { TaskOut } from '../domain/Task.js';
import { AssignTaskInput, CreateTaskInput, DeleteTaskInput, GetTaskInput, ListTasksInput, TaskAnalyticsInput, UpdateTaskInput } from '../domain/taskSchemas.js';
import { taskLine, taskPageText, taskText } from './boardText.js';
import type { DaemonLink } from './DaemonLink.js';
import { guarded, ok } from './results.js';

const TaskOutSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  priority: z.string(),
  assignee: z.string().nullable(),
  blocked_by: z.array(z.string()),
  history: z.array(z.looseObject({ at: z.string(), agent: z.string(), action: z.string() })),
});
const ListOut = z.looseObject({ tasks: z.array(TaskOutSchema), total: z.number(), truncated: z.boolean(), next_offset: z.number().nullable() });
const DeleteOut = z.looseObject({ id: z.string(), deleted: z.boolean(), dependencies_removed_from: z.array(z.string()) });
const AnalyticsOut = z.looseObject({ window_hours: z.number(), completed: z.number(), throughput_per_day: z.number(), by_status: z.record(z.string(), z.number()) });

const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const read = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** The kanban group: a board of tasks replicated to every host. */
export function registerKanbanTools(server: McpServer, link: DaemonLink): void {
  const taskResult = (verb: string) => (t: TaskOut) => ok(`${verb} ${taskLine(t)}`, { ...t });

  server.registerTool(
    'create_kanban_task',
    { title: 'Create a task', description: 'Put a new task on the team board (status todo), optionally assigned, with required capabilities and dependencies (a task waits, shown as blocked, until its dependencies are done).', inputSchema: CreateTaskInput, outputSchema: TaskOutSchema, annotations: write },
    guarded(async (args) => taskResult('Created')(await link.call('task.create', args))),
  );
  server.registerTool(
    'assign_kanban_task',
    { title: 'Assign a task', description: 'Assign a task to an agent; omit agent_id to claim it yourself (after register_agent); agent_id null unassigns. If two hosts claim the same task while apart, the earliest claim wins everywhere and the other shows in the task\'s conflicts and history.', inputSchema: AssignTaskInput, outputSchema: TaskOutSchema, annotations: write },
    guarded(async (args) => taskResult('Assigned')(await link.call('task.assign', args))),
  );
  server.registerTool(
    'update_kanban_task',
    { title: 'Update a task', description: 'Move a task (todo, in_progress, blocked, review, done, cancelled), report progress, edit it or add a comment. Every change is recorded in its history. Starting or finishing a task whose dependencies are not done is refused unless force is true.', inputSchema: UpdateTaskInput, outputSchema: TaskOutSchema, annotations: write },
    guarded(async (args) => taskResult('Updated')(await link.call('task.update', args))),
  );
  server.registerTool(
    'get_kanban_task',
    { title: 'Get a task', description: 'One task with its description, dependencies, comments, conflicts and full history (who moved it, on which host, when).', inputSchema: GetTaskInput, outputSchema: TaskOutSchema, annotations: read },
    guarded(async (args) => {
      const t = await link.call('task.get', args);
      return ok(taskText(t), { ...t });
    }),
  );
  server.registerTool(
    'list_kanban_tasks',
    { title: 'List tasks', description: 'The board: open tasks (done and cancelled only when asked), highest priority first; filter by status, assignee, priority, capability or project. Answers one page: total counts every match; when truncated, ask again with offset = next_offset.', inputSchema: ListTasksInput, outputSchema: ListOut, annotations: read },
    guarded(async (args) => {
      const r = await link.call('task.list', args);
      return ok(taskPageText('Tasks', r), { ...r });
    }),
  );
  server.registerTool(
    'delete_kanban_task',
    { title: 'Delete a task', description: 'Delete a task on every host. Refused while other tasks depend on it, unless force is true (they then lose that dependency).', inputSchema: DeleteTaskInput, outputSchema: DeleteOut, annotations: { ...write, destructiveHint: true } },
    guarded(async (args) => {
      const r = await link.call('task.delete', args);
      return ok(`Deleted task ${r.id}${r.dependencies_removed_from.length ? `; removed it from the dependencies of ${r.dependencies_removed_from.join(', ')}` : ''}.`, { ...r });
    }),
  );
  server.registerTool(
    'get_task_analytics',
    { title: 'Board analytics', description: 'Throughput, cycle time (start to done), lead time, counts by status and load per agent over a window (default 7 days).', inputSchema: TaskAnalyticsInput, outputSchema: AnalyticsOut, annotations: read },
    guarded(async (args) => {
      const a = await link.call('task.analytics', args);
      const cycle = a.cycle_time_hours ? `cycle time median ${a.cycle_time_hours.median} h (p90 ${a.cycle_time_hours.p90} h, n=${a.cycle_time_hours.n})` : 'no task finished in the window';
      const load = a.load_per_agent.map((l) => `${l.agent}: ${l.open} open, ${l.in_progress} in progress, ${l.completed} done`).join('; ');
      const status = Object.entries(a.by_status).map(([s, n]) => `${s} ${n}`).join(', ');
      return ok(`Last ${a.window_hours} h: ${a.created} created, ${a.completed} done (${a.throughput_per_day}/day); ${cycle}.\nBy status: ${status}.\nLoad: ${load || 'none'}.`, { ...a });
    }),
  );
}
