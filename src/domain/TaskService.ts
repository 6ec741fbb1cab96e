import { randomUUID } from 'node:crypto';
import * as A from '@automerge/automerge';
import { DEFAULT_ANALYTICS_WINDOW_HOURS, TASK_FORMAT_VERSION } from '../constants.js';
import { InvalidInputError, MeshError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { CollectionViews } from '../store/CollectionViews.js';
import type { DocStore } from '../store/DocStore.js';
import { commitDoc, throwMissing, type MissingWords } from './docCommit.js';
import type { Eraser } from './Eraser.js';
import type { Actor } from '../types.js';
import { normaliseCapability } from './Agent.js';
import { changeOptions } from './changeOptions.js';
import { toTaskView, type TaskOut, type TaskView } from './Task.js';
import type { Claim, TaskDoc, TaskStatus, Transition } from './TaskDoc.js';
import { taskAnalytics, type TaskAnalytics } from './taskAnalytics.js';
import { CYCLE_RULE, mergedCycles, setAsideEdges, type MergedCycle } from './dependencyCycles.js';
import { blockedBy, cycleThrough, dependentsOf } from './taskGraph.js';
import type { AssignTaskInput, CreateTaskInput, DeleteTaskInput, ListTasksInput, TaskAnalyticsInput, UpdateTaskInput } from './taskSchemas.js';

export interface TaskServiceDeps {
  store: DocStore;
  logger: Logger;
  actorId: string;
  /** Whether an agent id is in the roster (assignments must name a known agent). */
  agentExists: (id: string) => boolean;
  /** The one erasure path (sign a tombstone, erase, then the after-erase step): Eraser.ts. */
  eraser: Eraser;
  now?: () => number;
}

const MISSING: MissingWords = { noun: 'task', erased: (at) => `was deleted at ${at}` };

/** Statuses a task may only enter once its dependencies are done (unless forced). */
const NEEDS_DEPENDENCIES: ReadonlySet<TaskStatus> = new Set(['in_progress', 'review', 'done']);
const CLOSED: ReadonlySet<TaskStatus> = new Set(['done', 'cancelled']);
const DEFAULT_TASK_LIST_LIMIT = 100;

/** A page of task.list / list_kanban_tasks: `total` counts every match, not just this page. */
export interface TaskPage {
  tasks: TaskOut[];
  total: number;
  offset: number;
  truncated: boolean;
  next_offset: number | null;
  /** Dependency cycles of the whole board (merged from hosts apart), each with the edge set aside. */
  cycles: MergedCycle[];
}

/**
 * The kanban board: one replicated document per task. Every transition is appended to the task's
 * history (who, which host, when); concurrent moves and claims resolve by the rules of
 * taskConflicts.ts. The board keeps every task's view in memory (from the store's commits), since
 * listing, dependency checks and analytics read all of them.
 */
export class TaskService {
  private readonly tasks: CollectionViews<TaskView>;
  private readonly now: () => number;

  constructor(private readonly deps: TaskServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.tasks = new CollectionViews<TaskView>(deps.store, 'tasks');
  }

  start(): Promise<void> {
    return this.tasks.start();
  }

  stop(): void {
    this.tasks.stop();
  }

  async create(input: CreateTaskInput, actor: Actor, note?: string): Promise<TaskOut> {
    const deps = [...new Set(input.dependencies ?? [])];
    for (const dep of deps) if (!this.tasks.has(dep)) throw new NotFoundError('dependency task', dep);
    if (input.assignee !== undefined) this.requireAgent(input.assignee);
    const id = randomUUID();
    const now = this.now();
    const entry = (t: Omit<Transition, 'at' | 'agent' | 'machine'>): Transition => ({ at: now, agent: actor.agent, machine: actor.machine, ...t });
    const doc = A.change(A.init<TaskDoc>({ actor: this.deps.actorId }), changeOptions<TaskDoc>(actor, 'create', now), (d) => {
      d.v = TASK_FORMAT_VERSION;
      d.id = id;
      d.title = input.title;
      d.description = input.description ?? '';
      d.status = 'todo';
      d.priority = input.priority ?? 'medium';
      d.assignee = input.assignee ? { agent: input.assignee, at: now, machine: actor.machine, by: actor.agent } : null;
      d.required_capabilities = capabilitiesOf(input.required_capabilities);
      d.dependencies = deps;
      d.progress = 0;
      d.project = input.project ?? '';
      d.comments = [];
      d.history = [entry({ action: 'create', to: 'todo', ...(note ? { note } : {}) })];
      if (input.assignee) d.history.push(entry({ action: 'assign', from: null, to: input.assignee }));
      d.machine = actor.machine;
      d.created_by = actor.agent;
      d.created_at = now;
      d.updated_at = now;
      d.updated_by = actor.agent;
    });
    return this.commit(id, () => doc, true);
  }

  /** Assigns (or with `agent_id: null` releases) a task; with no agent given, the calling agent claims it. */
  async assign(input: AssignTaskInput, caller: string | undefined, actor: Actor): Promise<TaskOut> {
    const target = input.agent_id === undefined ? caller : input.agent_id;
    if (target === undefined) throw new MeshError('NOT_REGISTERED', 'name the agent to assign (agent_id), or register this session with register_agent to claim tasks for yourself');
    if (target !== null) this.requireAgent(target);
    const now = this.now();
    return this.commit(input.task_id, (current) => {
      const status = toTaskView(current).status;
      if (CLOSED.has(status)) throw new InvalidInputError(`task ${input.task_id} is ${status}; reopen it (update_kanban_task status "todo") before assigning it`);
      const from = toTaskView(current).assignee;
      return A.change(current, changeOptions<TaskDoc>(actor, target === null ? 'unassign' : 'assign', now), (d) => {
        d.assignee = target === null ? null : ({ agent: target, at: now, machine: actor.machine, by: actor.agent } satisfies Claim);
        d.history.push({ at: now, agent: actor.agent, machine: actor.machine, action: target === null ? 'unassign' : 'assign', from, to: target });
        touch(d, actor, now);
      });
    });
  }

  async update(input: UpdateTaskInput, actor: Actor): Promise<TaskOut> {
    const { task_id: id } = input;
    const fields = ['status', 'progress', 'title', 'description', 'priority', 'required_capabilities', 'dependencies', 'comment'] as const;
    if (!fields.some((f) => input[f] !== undefined)) throw new InvalidInputError(`nothing to update: give at least one of ${fields.join(', ')}`);
    const current = this.tasks.get(id);
    if (!current) return this.throwMissing(id);
    if (input.dependencies !== undefined) this.checkDependencies(id, input.dependencies, current.dependencies);
    if (input.status !== undefined && NEEDS_DEPENDENCIES.has(input.status) && !input.force) {
      const waiting = blockedBy({ id, dependencies: input.dependencies ?? current.dependencies }, this.tasks.asMap(), setAsideEdges(this.cycles()));
      if (waiting.length) {
        throw new MeshError('TASK_BLOCKED', `task ${id} is blocked by ${waiting.length} unfinished dependenc${waiting.length === 1 ? 'y' : 'ies'} (${waiting.join(', ')}); finish them first or pass force: true`, { blocked_by: waiting });
      }
    }
    const now = this.now();
    return this.commit(id, (doc) => {
      const before = toTaskView(doc);
      return A.change(doc, changeOptions<TaskDoc>(actor, 'update', now), (d) => {
        const log = (t: Omit<Transition, 'at' | 'agent' | 'machine'>) => d.history.push({ at: now, agent: actor.agent, machine: actor.machine, ...t });
        if (input.status !== undefined && input.status !== before.status) {
          d.status = input.status;
          log({ action: 'status', from: before.status, to: input.status, ...(input.force ? { note: 'forced past unfinished dependencies' } : {}) });
          if (input.status === 'done' && input.progress === undefined && d.progress !== 100) d.progress = 100;
        }
        if (input.progress !== undefined && input.progress !== before.progress) {
          d.progress = input.progress;
          log({ action: 'progress', from: String(before.progress), to: String(input.progress) });
        }
        if (input.title !== undefined && input.title !== before.title) {
          d.title = input.title;
          log({ action: 'update', note: 'title' });
        }
        // updateText merges concurrent description edits from two hosts edit by edit.
        if (input.description !== undefined && input.description !== before.description) {
          A.updateText(d, ['description'], input.description);
          log({ action: 'update', note: 'description' });
        }
        if (input.priority !== undefined && input.priority !== before.priority) {
          d.priority = input.priority;
          log({ action: 'update', from: before.priority, to: input.priority, note: 'priority' });
        }
        if (input.required_capabilities !== undefined) {
          d.required_capabilities = capabilitiesOf(input.required_capabilities);
          log({ action: 'update', note: 'required_capabilities' });
        }
        if (input.dependencies !== undefined) {
          d.dependencies = [...new Set(input.dependencies)];
          log({ action: 'dependencies', to: d.dependencies.join(',') || null });
        }
        if (input.comment !== undefined) {
          d.comments.push({ at: now, agent: actor.agent, machine: actor.machine, text: input.comment });
          log({ action: 'comment' });
        }
        touch(d, actor, now);
      });
    });
  }

  get(id: string): Promise<TaskOut> {
    const view = this.tasks.get(id);
    return view ? Promise.resolve(this.out(view)) : this.throwMissing(id);
  }

  /**
   * One page of the tasks matching the filter, in board order, with the true number of matches:
   * a view that does not show every match says so (`truncated`, `next_offset`).
   */
  list(filter: ListTasksInput = {}): TaskPage {
    const capability = filter.capability ? normaliseCapability(filter.capability) : undefined;
    const includeClosed = filter.include_closed ?? filter.status !== undefined;
    const cycles = this.cycles();
    const matching = this.all(cycles)
      .filter(
        (t) =>
          (filter.status === undefined || t.status === filter.status) &&
          (includeClosed || !CLOSED.has(t.status)) &&
          (filter.assignee === undefined || t.assignee === filter.assignee) &&
          (filter.priority === undefined || t.priority === filter.priority) &&
          (capability === undefined || t.required_capabilities.includes(capability)) &&
          (filter.project === undefined || t.project === filter.project),
      )
      .sort(boardOrder);
    const offset = filter.offset ?? 0;
    const tasks = matching.slice(offset, offset + (filter.limit ?? DEFAULT_TASK_LIST_LIMIT));
    const end = offset + tasks.length;
    return { tasks, total: matching.length, offset, truncated: tasks.length < matching.length, next_offset: end < matching.length ? end : null, cycles };
  }

  /** The dependency cycles of the merged board and the edge each one sets aside (dependencyCycles.ts). */
  cycles(): MergedCycle[] {
    return mergedCycles(this.tasks.asMap());
  }

  /** Deletes (erases) a task. Refused while other tasks depend on it, unless forced: then they lose the dependency first. */
  async delete(input: DeleteTaskInput, actor: Actor): Promise<{ id: string; deleted: true; dependencies_removed_from: string[] }> {
    const { task_id: id } = input;
    if (!this.tasks.has(id)) await this.throwMissing(id);
    const dependents = dependentsOf(id, this.tasks.values()).map((t) => t.id);
    if (dependents.length && !input.force) {
      throw new MeshError('HAS_DEPENDENTS', `task ${id} is a dependency of ${dependents.join(', ')}; delete with force: true to remove it from them too`, { dependents });
    }
    const now = this.now();
    for (const dep of dependents) {
      await this.commit(dep, (doc) =>
        A.change(doc, changeOptions<TaskDoc>(actor, 'update', now), (d) => {
          const i = d.dependencies.indexOf(id);
          if (i >= 0) d.dependencies.splice(i, 1);
          d.history.push({ at: now, agent: actor.agent, machine: actor.machine, action: 'dependencies', to: d.dependencies.join(',') || null, note: `dependency ${id} was deleted` });
          touch(d, actor, now);
        }),
      );
    }
    await this.deps.eraser.erase('tasks', id, actor, now, input.reason ? { reason: input.reason } : {});
    this.deps.logger.info({ id, agent: actor.agent }, 'task deleted');
    return { id, deleted: true, dependencies_removed_from: dependents };
  }

  analytics(input: TaskAnalyticsInput = {}): TaskAnalytics {
    const tasks = this.all().filter((t) => input.project === undefined || t.project === input.project);
    return taskAnalytics(tasks, this.now(), (input.window_hours ?? DEFAULT_ANALYTICS_WINDOW_HOURS) * 3_600_000);
  }

  /** Task counts for `mesh status`. */
  counts(): { tasks: number; tasks_open: number } {
    let open = 0;
    for (const t of this.tasks.values()) if (!CLOSED.has(t.status)) open++;
    return { tasks: this.tasks.size, tasks_open: open };
  }

  /** Open (not done or cancelled) tasks assigned to an agent: its load, for delegation. */
  openTasksOf(agentId: string): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.assignee === agentId && !CLOSED.has(t.status)) n++;
    return n;
  }

  private all(cycles = this.cycles()): TaskOut[] {
    return [...this.tasks.values()].map((v) => this.out(v, cycles));
  }

  private out(view: TaskView, cycles = this.cycles()): TaskOut {
    const waiting = CLOSED.has(view.status) ? [] : blockedBy(view, this.tasks.asMap(), setAsideEdges(cycles));
    const mine = cycles.filter((c) => c.cycle.includes(view.id));
    const conflicts = [
      ...view.conflicts,
      ...mine.map((c) => ({ field: 'dependencies', rule: CYCLE_RULE, winner: { cycle: c.cycle }, losers: [{ set_aside: `${c.set_aside.task} -> ${c.set_aside.dependency}` }] })),
    ];
    return { ...view, conflicts, status: waiting.length ? 'blocked' : view.status, workflow_status: view.status, blocked_by: waiting };
  }

  /**
   * Only the dependencies a write adds are checked for a cycle: re-saving or trimming the list of
   * a task caught in a cycle merged from two hosts is how that cycle gets resolved, not refused.
   */
  private checkDependencies(id: string, deps: readonly string[], current: readonly string[] = []): void {
    for (const dep of deps) {
      if (dep === id) throw new MeshError('DEPENDENCY_CYCLE', `task ${id} cannot depend on itself`, { cycle: [id, id] });
      if (!this.tasks.has(dep) && !current.includes(dep)) throw new NotFoundError('dependency task', dep);
    }
    const cycle = cycleThrough(id, deps.filter((d) => !current.includes(d)), this.tasks.asMap());
    if (cycle) throw new MeshError('DEPENDENCY_CYCLE', `these dependencies would make a cycle: ${cycle.join(' -> ')}`, { cycle });
  }

  private requireAgent(id: string): void {
    if (!this.deps.agentExists(id)) throw new NotFoundError('agent', id);
  }

  private async commit(id: string, next: (current: A.Doc<TaskDoc>) => A.Doc<TaskDoc>, create = false): Promise<TaskOut> {
    const { view, seq } = await commitDoc(this.deps.store, 'tasks', id, next, { create, view: toTaskView, scope: () => 'mesh', missing: MISSING });
    this.tasks.set(id, view, seq);
    return this.out(view);
  }

  private throwMissing(id: string): Promise<never> {
    return throwMissing(this.deps.store, 'tasks', id, MISSING);
  }
}

function touch(d: TaskDoc, actor: Actor, now: number): void {
  d.updated_at = now;
  d.updated_by = actor.agent;
}

function capabilitiesOf(caps: readonly string[] | undefined): string[] {
  return [...new Set((caps ?? []).map(normaliseCapability))];
}

const PRIORITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/** Highest priority first, then oldest first: the order a board is worked in. */
function boardOrder(a: TaskOut, b: TaskOut): number {
  return PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1);
}
