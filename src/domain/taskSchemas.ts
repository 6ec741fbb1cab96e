import { z } from 'zod';
import { DEFAULT_ANALYTICS_WINDOW_HOURS, MAX_CONTENT_CHARS, MAX_LIST_LIMIT, MAX_TASK_COMMENT_CHARS, MAX_TASK_DEPENDENCIES, MAX_TASK_TITLE_CHARS } from '../constants.js';
import { agentId, capabilities, capability } from './agentSchemas.js';
import { TASK_PRIORITIES, TASK_STATUSES } from './TaskDoc.js';

/** Input schemas of the kanban group, shared by MCP, the CLI and the socket API. */
export const taskId = z.string().min(1).max(128).describe('A task id, as returned by create_kanban_task or list_kanban_tasks.');
const status = z.enum(TASK_STATUSES, { error: () => `status must be one of: ${TASK_STATUSES.join(', ')}` });
const priority = z.enum(TASK_PRIORITIES, { error: () => `priority must be one of: ${TASK_PRIORITIES.join(', ')}` });
const dependencies = z.array(taskId).max(MAX_TASK_DEPENDENCIES).describe('Ids of tasks that must be done before this one can start.');

export const CreateTaskInput = z.object({
  title: z.string().trim().min(1, 'title must not be empty').max(MAX_TASK_TITLE_CHARS).describe('A short card title.'),
  description: z.string().max(MAX_CONTENT_CHARS).optional().describe('What is to be done, and how to tell it is done.'),
  priority: priority.optional().describe('low, medium (default), high or critical.'),
  required_capabilities: capabilities.optional().describe('Capabilities the assignee needs.'),
  dependencies: dependencies.optional(),
  assignee: agentId.optional().describe('Agent to assign it to right away.'),
  project: z.string().max(200).optional(),
});
export type CreateTaskInput = z.infer<typeof CreateTaskInput>;

export const AssignTaskInput = z.object({
  task_id: taskId,
  agent_id: agentId.nullable().optional().describe('The agent to assign; omit to claim it for yourself (registered agents), null to unassign.'),
});
export type AssignTaskInput = z.infer<typeof AssignTaskInput>;

export const UpdateTaskInput = z.object({
  task_id: taskId,
  status: status.optional().describe(`New status: ${TASK_STATUSES.join(', ')}.`),
  progress: z.number().min(0).max(100).optional().describe('Percent done, 0-100.'),
  title: CreateTaskInput.shape.title.optional(),
  description: CreateTaskInput.shape.description,
  priority: priority.optional(),
  required_capabilities: capabilities.optional(),
  dependencies: dependencies.optional().describe('Replaces the dependency list; cycles are refused.'),
  comment: z.string().trim().min(1).max(MAX_TASK_COMMENT_CHARS).optional().describe('A comment to add to the card.'),
  force: z.boolean().optional().describe('Move the task even though a dependency is not done.'),
});
export type UpdateTaskInput = z.infer<typeof UpdateTaskInput>;

export const GetTaskInput = z.object({ task_id: taskId });

export const ListTasksInput = z.object({
  status: status.optional().describe('Only tasks in this status (as shown, i.e. "blocked" includes tasks waiting on dependencies).'),
  assignee: agentId.optional().describe('Only tasks assigned to this agent.'),
  priority: priority.optional(),
  capability: capability.optional().describe('Only tasks requiring this capability.'),
  project: z.string().max(200).optional(),
  include_closed: z.boolean().optional().describe('Also list done and cancelled tasks (default true when status is given, else false).'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe('Maximum tasks (default 100).'),
  offset: z.number().int().min(0).max(1_000_000).optional().describe('Skip this many matches (paging: pass the previous answer\'s next_offset).'),
});
export type ListTasksInput = z.infer<typeof ListTasksInput>;

export const DeleteTaskInput = z.object({
  task_id: taskId,
  force: z.boolean().optional().describe('Delete even though other tasks depend on it (they lose the dependency).'),
  reason: z.string().max(500).optional(),
});
export type DeleteTaskInput = z.infer<typeof DeleteTaskInput>;

export const TaskAnalyticsInput = z.object({
  window_hours: z.number().positive().max(24 * 365).optional().describe(`Look back this many hours (default ${DEFAULT_ANALYTICS_WINDOW_HOURS}).`),
  project: z.string().max(200).optional(),
});
export type TaskAnalyticsInput = z.infer<typeof TaskAnalyticsInput>;
