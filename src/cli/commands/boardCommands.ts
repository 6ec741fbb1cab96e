import type { Command } from 'commander';
import type { MethodName, ParamsOf, ResultOf } from '../../daemon/methodMap.js';
import { InvalidInputError } from '../../errors.js';
import type { CreateTaskInput, ListTasksInput, UpdateTaskInput } from '../../domain/taskSchemas.js';
import type { RosterInput } from '../../domain/agentSchemas.js';
import { MAX_LIST_LIMIT } from '../../constants.js';
import { rosterText, taskLine, taskPageText, taskText } from '../../mcp/boardText.js';
import { BOARD_CARDS_PER_COLUMN, BOARD_COLUMNS, fetchBoard, renderBoard } from '../boardView.js';
import { cliSession, withDaemon, type CommonOptions } from '../context.js';
import { fail, printHint, printJson, printText, type CliTerms } from '../output.js';
import { list, positiveNumber, wholeNumber } from '../parsers.js';

/** The API's `force` parameter is the `--force` flag here. */
const FORCE_TERMS = { force: '--force', progress: '--progress', window_hours: '--hours', agent_id: '<agent>', task_id: '<id>', dependencies: '--depends-on', required_capabilities: '--capabilities' };

/** What the marks on the board mean, printed under it (on stderr: stdout is the board itself). */
const BOARD_LEGEND = 'legend: !! critical, ! high, (blank) medium, . low priority; @agent assignee (@- unassigned), then progress and the id (any unique prefix of it works in mesh task ...)';

/**
 * Calls one daemon method and prints its answer as JSON (--json) or as text. Option types name the
 * schema's words (status, priority); commander hands over whatever was typed and the daemon's
 * schema refuses an unknown word with INVALID_INPUT.
 */
async function run<N extends MethodName>(opts: CommonOptions, method: N, params: ParamsOf<N>, text: (r: ResultOf<N>) => string, json: (r: ResultOf<N>) => unknown = (r) => r, hint?: (r: ResultOf<N>) => string | undefined): Promise<void> {
  try {
    const r = await withDaemon(opts, (c) => c.call(method, params));
    if (opts.json) printJson(json(r));
    else {
      printText(text(r));
      const h = hint?.(r);
      if (h) printHint(h);
    }
  } catch (err) {
    fail(err, FORCE_TERMS satisfies CliTerms);
  }
}

const common = (cmd: Command) => cmd.option('--home <dir>', 'data directory').option('--json', 'print JSON');

/** board, roster, task …: the kanban board and the agent roster, for people. */
export function registerBoardCommands(program: Command): void {
  common(
    program
      .command('board')
      .description('the kanban board: columns by status with their true card counts, cards with priority and assignee')
      .option('--assignee <agent>', 'only cards of this agent')
      .option('--project <p>', 'only this project')
      .option('--limit <n>', `cards shown per column (default ${BOARD_CARDS_PER_COLUMN}; the header counts them all)`, positiveNumber)
      .option('--all', 'also show cancelled cards'),
  ).action(async (opts: CommonOptions & { assignee?: string; project?: string; limit?: number; all?: boolean }) => {
    const columns = opts.all ? [...BOARD_COLUMNS, 'cancelled' as const] : BOARD_COLUMNS;
    if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 1)) fail(new Error('--limit must be a whole number of cards, at least 1'));
    try {
      const board = await withDaemon(opts, (c) => fetchBoard(c, columns, { assignee: opts.assignee, project: opts.project }, opts.limit ?? BOARD_CARDS_PER_COLUMN));
      if (opts.json) printJson(board);
      else {
        printText(renderBoard(board, process.stdout.columns || 120));
        printHint(Object.values(board.columns).some((col) => col.total > 0) ? BOARD_LEGEND : 'the board is empty: add a card with mesh task create "<title>"');
      }
    } catch (err) {
      fail(err);
    }
  });

  common(
    program
      .command('roster')
      .description('agents on every host: role, machine, capabilities, status by heartbeat, open tasks')
      .option('--machine <m>', 'only this machine')
      .option('--role <r>', 'only this role')
      .option('--capability <c>', 'only agents with this capability')
      .option('--status <s>', 'active, idle or offline'),
  ).action((opts: CommonOptions & { machine?: string; role?: string; capability?: string; status?: RosterInput['status'] }) =>
    run(opts, 'agent.roster', { machine: opts.machine, role: opts.role, capability: opts.capability, status: opts.status }, (r) => rosterText(r.agents), (r) => r, (r) =>
      r.agents.length === 0 && !opts.machine && !opts.role && !opts.capability && !opts.status
        ? 'nobody has registered yet: agents register through MCP (register_agent, when the agents tool group is on); a person registers with mesh agent register --role <role>'
        : undefined,
    ),
  );

  const agent = program.command('agent').description('agents on the roster: register yourself as one');
  common(
    agent
      .command('register')
      .description('put yourself (this OS user) on the roster as an agent, so tasks can be assigned to you; run again to update')
      .requiredOption('--role <role>', 'what you do, in a word or two: reviewer, sre')
      .option('--description <text>', 'what you are working on or good at')
      .option('--capabilities <a,b>', 'what you can do', list),
  ).action(async (opts: CommonOptions & { role: string; description?: string; capabilities?: string[] }) => {
    try {
      // Registering again updates this person's entry on this host (its session is stable per OS user).
      const mine = await withDaemon(opts, async (c) => {
        const { name } = await c.call('daemon.status', {});
        return (await c.call('agent.roster', { machine: name })).agents.find((a) => a.session === cliSession());
      });
      const params = { role: opts.role, description: opts.description, capabilities: opts.capabilities };
      const r = await withDaemon(opts, (c) => c.call('agent.register', params), true, { session: cliSession(), ...(mine ? { agent_id: mine.id } : {}) });
      if (opts.json) printJson(r);
      else {
        printText(r.agent.id);
        printHint(`registered as ${r.agent.id}; assign a task to yourself with mesh task assign <task> ${r.agent.id}`);
      }
    } catch (err) {
      fail(err);
    }
  });

  const task = program.command('task').description('kanban tasks: create, show, list, assign, move, update, rm, stats');

  common(
    task
      .command('create')
      .description('put a new task on the board')
      .argument('<title>', 'card title')
      .option('--description <text>', 'what is to be done')
      .option('--priority <p>', 'low, medium (default), high or critical')
      .option('--capabilities <a,b>', 'capabilities the assignee needs', list)
      .option('--depends-on <id,id>', 'tasks that must be done first', list)
      .option('--assign <agent>', 'assign to this agent')
      .option('--project <p>', 'project'),
  ).action((title: string, opts: CommonOptions & { description?: string; priority?: CreateTaskInput['priority']; capabilities?: string[]; dependsOn?: string[]; assign?: string; project?: string }) =>
    run(
      opts,
      'task.create',
      { title, description: opts.description, priority: opts.priority, required_capabilities: opts.capabilities, dependencies: opts.dependsOn, assignee: opts.assign, project: opts.project },
      (t) => t.id,
    ),
  );

  common(task.command('show').description('one task with its comments, conflicts and history').argument('<id>', 'task id')).action((id: string, opts: CommonOptions) =>
    run(opts, 'task.get', { task_id: id }, taskText),
  );

  common(
    task
      .command('list')
      .description('tasks, highest priority first')
      .option('--status <s>', 'only this status')
      .option('--assignee <agent>', 'only this agent')
      .option('--capability <c>', 'only tasks needing this capability')
      .option('--project <p>', 'only this project')
      .option('--all', 'include done and cancelled')
      .option('--limit <n>', `tasks per page (default and most ${MAX_LIST_LIMIT})`, positiveNumber)
      .option('--offset <n>', 'skip this many (the next_offset of the previous page)', wholeNumber),
  ).action((opts: CommonOptions & { status?: ListTasksInput['status']; assignee?: string; capability?: string; project?: string; all?: boolean; limit?: number; offset?: number }) =>
    run(
      opts,
      'task.list',
      { status: opts.status, assignee: opts.assignee, capability: opts.capability, project: opts.project, include_closed: opts.all, limit: opts.limit ?? MAX_LIST_LIMIT, offset: opts.offset },
      (r) => taskPageText('Tasks', r),
    ),
  );

  common(task.command('assign').description('assign a task to an agent (or --none to unassign)').argument('<id>', 'task id').argument('[agent]', 'agent id').option('--none', 'unassign')).action(
    (id: string, agent: string | undefined, opts: CommonOptions & { none?: boolean }) => {
      if (!agent && !opts.none) fail(new InvalidInputError('name the agent to assign, or pass --none to unassign'));
      return run(opts, 'task.assign', { task_id: id, agent_id: opts.none ? null : agent }, (t) => `assigned ${taskLine(t)}`);
    },
  );

  common(task.command('move').description('move a task to another status').argument('<id>', 'task id').argument('<status>', 'todo, in_progress, blocked, review, done or cancelled').option('--force', 'even if a dependency is not done')).action(
    (id: string, status: NonNullable<UpdateTaskInput['status']>, opts: CommonOptions & { force?: boolean }) => run(opts, 'task.update', { task_id: id, status, force: opts.force }, (t) => `moved ${taskLine(t)}`),
  );

  common(
    task
      .command('update')
      .description('edit a task: progress, title, priority, capabilities, dependencies, a comment')
      .argument('<id>', 'task id')
      .option('--progress <n>', 'percent done', wholeNumber)
      .option('--title <t>', 'new title')
      .option('--description <text>', 'new description')
      .option('--priority <p>', 'low, medium, high or critical')
      .option('--capabilities <a,b>', 'required capabilities', list)
      .option('--depends-on <id,id>', 'replace the dependencies', list)
      .option('--comment <text>', 'add a comment'),
  ).action((id: string, opts: CommonOptions & { progress?: number; title?: string; description?: string; priority?: UpdateTaskInput['priority']; capabilities?: string[]; dependsOn?: string[]; comment?: string }) =>
    run(
      opts,
      'task.update',
      { task_id: id, progress: opts.progress, title: opts.title, description: opts.description, priority: opts.priority, required_capabilities: opts.capabilities, dependencies: opts.dependsOn, comment: opts.comment },
      (t) => `updated ${taskLine(t)}`,
    ),
  );

  common(task.command('rm').description('delete a task on every host').argument('<id>', 'task id').option('--force', 'even if other tasks depend on it').option('--reason <text>', 'why')).action(
    (id: string, opts: CommonOptions & { force?: boolean; reason?: string }) =>
      run(opts, 'task.delete', { task_id: id, force: opts.force, reason: opts.reason }, (r) => `deleted ${r.id}${r.dependencies_removed_from.length ? ` (removed from the dependencies of ${r.dependencies_removed_from.join(', ')})` : ''}`),
  );

  common(task.command('stats').description('throughput, cycle time and load per agent').option('--hours <n>', 'window in hours (default a week)', positiveNumber).option('--project <p>', 'only this project')).action(
    (opts: CommonOptions & { hours?: number; project?: string }) =>
      run(opts, 'task.analytics', { window_hours: opts.hours, project: opts.project }, (a) =>
        [
          `last ${a.window_hours} h: ${a.created} created, ${a.completed} done (${a.throughput_per_day}/day)`,
          `cycle time: ${a.cycle_time_hours ? `median ${a.cycle_time_hours.median} h, p90 ${a.cycle_time_hours.p90} h (n=${a.cycle_time_hours.n})` : 'none finished'}`,
          `by status: ${Object.entries(a.by_status).map(([s, n]) => `${s} ${n}`).join(', ')}`,
          ...a.load_per_agent.map((l) => `  ${l.agent}: ${l.open} open, ${l.in_progress} in progress, ${l.completed} done`),
        ].join('\n'),
      ),
  );
}
