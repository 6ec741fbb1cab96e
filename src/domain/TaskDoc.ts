/** The Automerge document of a kanban task, and the values its fields may take. */

export const TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'review', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Who holds a task: written whole on every (re)assignment, so concurrent claims conflict as units. */
export interface Claim {
  agent: string;
  /** When the claim was made (epoch ms): the conflict rule's key. */
  at: number;
  machine: string;
  /** Who made the assignment (the agent itself, a delegator, a person's CLI). */
  by: string;
}

/** One entry of a task's history: every transition, who made it, on which host, when. */
export interface Transition {
  at: number;
  agent: string;
  machine: string;
  action: 'create' | 'assign' | 'unassign' | 'status' | 'progress' | 'update' | 'comment' | 'dependencies';
  from?: string | null;
  to?: string | null;
  note?: string;
}

export interface TaskComment {
  at: number;
  agent: string;
  machine: string;
  text: string;
}

/** The Automerge document of one kanban task. Lists are appended to, so both sides' entries survive a merge. */
export interface TaskDoc {
  v: number;
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee: Claim | null;
  required_capabilities: string[];
  dependencies: string[];
  progress: number;
  project: string;
  comments: TaskComment[];
  history: Transition[];
  machine: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

/** A value from a peer's document that is not one of ours reads as the default, never as garbage on the board. */
export function oneOf<T extends string>(allowed: readonly T[], value: unknown, fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}
