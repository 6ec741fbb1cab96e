import { MAX_LIST_LIMIT } from '../constants.js';
import type { MergedCycle } from '../domain/dependencyCycles.js';
import type { TaskOut } from '../domain/Task.js';
import type { TaskStatus } from '../domain/TaskDoc.js';
import type { TaskPage } from '../domain/TaskService.js';
import type { DaemonClient } from '../ipc/DaemonClient.js';
import { cyclesText } from '../mcp/boardText.js';

/** The columns of `mesh board`, left to right; cancelled cards show only with --all. */
export const BOARD_COLUMNS: readonly TaskStatus[] = ['todo', 'blocked', 'in_progress', 'review', 'done'];
/** Cards per column by default: a screenful; the header still counts every card of the column. */
export const BOARD_CARDS_PER_COLUMN = 50;
const PRIORITY_MARK = { critical: '!!', high: '! ', medium: '  ', low: '. ' } as const;
const MIN_COLUMN = 18;

/** One column: its first cards in board order and how many it has in all. */
export interface BoardColumn {
  total: number;
  truncated: boolean;
  cards: TaskOut[];
}

export interface Board {
  columns: Record<string, BoardColumn>;
  cycles: MergedCycle[];
}

/** A board of every card given, none cut (cards by the status they show). */
export function boardColumns(tasks: readonly TaskOut[], columns: readonly TaskStatus[]): Board {
  const out: Record<string, BoardColumn> = Object.fromEntries(columns.map((c) => [c, { total: 0, truncated: false, cards: [] }]));
  for (const t of tasks) {
    const col = out[t.status];
    if (!col) continue;
    col.cards.push(t);
    col.total++;
  }
  return { columns: out, cycles: [] };
}

/** The first `perColumn` cards of each column (cards by the status they show: dependency-blocked ones under blocked), a page at a time. */
export async function fetchBoard(client: DaemonClient, columns: readonly TaskStatus[], filter: { assignee?: string | undefined; project?: string | undefined }, perColumn: number): Promise<Board> {
  let cycles: MergedCycle[] = [];
  const column = async (status: TaskStatus): Promise<BoardColumn> => {
    const cards: TaskOut[] = [];
    let page: TaskPage;
    do {
      page = await client.call('task.list', { ...filter, status, include_closed: true, offset: cards.length, limit: Math.min(MAX_LIST_LIMIT, perColumn - cards.length) });
      cards.push(...page.tasks);
      cycles = page.cycles;
    } while (page.next_offset !== null && cards.length < perColumn && page.tasks.length > 0);
    return { total: page.total, truncated: cards.length < page.total, cards };
  };
  const cols = await Promise.all(columns.map(column));
  return { columns: Object.fromEntries(columns.map((c, i) => [c, cols[i]!])), cycles };
}

/**
 * A terminal board: one column per status, side by side in the terminal's width; each card is its
 * priority mark, title and assignee, cut to fit. The header counts every card of the column; a
 * column cut short ends with how many more it has. Narrow terminals get one column under another.
 */
export function renderBoard(board: Board, width: number): string {
  const { columns } = board;
  const names = Object.keys(columns);
  const colWidth = Math.floor((width - (names.length - 1) * 3) / names.length);
  const cards = (name: string) => {
    const col = columns[name]!;
    const lines = col.cards.flatMap((t) => [`${PRIORITY_MARK[t.priority]}${t.title}`, `  @${t.assignee ?? '-'}${t.progress > 0 && t.status !== 'done' ? ` ${t.progress}%` : ''} ${t.id.slice(0, 8)}`]);
    if (col.truncated) lines.push(`+${col.total - col.cards.length} more`);
    return lines;
  };
  const header = (n: string) => `${n.toUpperCase()} (${columns[n]!.truncated ? `${columns[n]!.cards.length} of ` : ''}${columns[n]!.total})`;
  const cut = names.filter((n) => columns[n]!.truncated);
  const cycles = (cut.length ? `\n\nColumns cut short: ${cut.join(', ')}. Every card: mesh task list --status <status> (pages with --offset), or mesh board --limit <n>.` : '') + cyclesText(board.cycles);
  if (colWidth < MIN_COLUMN) {
    return names.map((n) => [header(n), ...cards(n).map((l) => `  ${l}`)].join('\n')).join('\n\n') + cycles;
  }
  const fit = (s: string) => (s.length > colWidth ? `${s.slice(0, colWidth - 1)}…` : s.padEnd(colWidth));
  const bodies = names.map(cards);
  const height = Math.max(0, ...bodies.map((b) => b.length));
  const lines = [names.map((n) => fit(header(n))).join(' | '), names.map(() => '-'.repeat(colWidth)).join('-+-')];
  for (let i = 0; i < height; i++) lines.push(bodies.map((b) => fit(b[i] ?? '')).join(' | '));
  return lines.map((l) => l.trimEnd()).join('\n') + cycles;
}
