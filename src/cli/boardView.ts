import type { TaskOut } from '../domain/Task.js';
import type { TaskStatus } from '../domain/TaskDoc.js';

/** The columns of `mesh board`, left to right; cancelled cards show only with --all. */
export const BOARD_COLUMNS: readonly TaskStatus[] = ['todo', 'blocked', 'in_progress', 'review', 'done'];
const PRIORITY_MARK = { critical: '!!', high: '! ', medium: '  ', low: '. ' } as const;
const MIN_COLUMN = 18;

/** Cards grouped by the status they show (dependency-blocked cards under blocked). */
export function boardColumns(tasks: readonly TaskOut[], columns: readonly TaskStatus[]): Record<string, TaskOut[]> {
  const out: Record<string, TaskOut[]> = Object.fromEntries(columns.map((c) => [c, []]));
  for (const t of tasks) out[t.status]?.push(t);
  return out;
}

/**
 * A terminal board: one column per status, side by side in the terminal's width; each card is its
 * priority mark, title and assignee, cut to fit. Narrow terminals get one column under another.
 */
export function renderBoard(columns: Record<string, TaskOut[]>, width: number): string {
  const names = Object.keys(columns);
  const colWidth = Math.floor((width - (names.length - 1) * 3) / names.length);
  const cards = (name: string) =>
    (columns[name] ?? []).flatMap((t) => [`${PRIORITY_MARK[t.priority]}${t.title}`, `  @${t.assignee ?? '-'}${t.progress > 0 && t.status !== 'done' ? ` ${t.progress}%` : ''} ${t.id.slice(0, 8)}`]);
  if (colWidth < MIN_COLUMN) {
    return names.map((n) => [`${n.toUpperCase()} (${columns[n]!.length})`, ...cards(n).map((l) => `  ${l}`)].join('\n')).join('\n\n');
  }
  const fit = (s: string) => (s.length > colWidth ? `${s.slice(0, colWidth - 1)}…` : s.padEnd(colWidth));
  const bodies = names.map(cards);
  const height = Math.max(0, ...bodies.map((b) => b.length));
  const lines = [names.map((n) => fit(`${n.toUpperCase()} (${columns[n]!.length})`)).join(' | '), names.map(() => '-'.repeat(colWidth)).join('-+-')];
  for (let i = 0; i < height; i++) lines.push(bodies.map((b) => fit(b[i] ?? '')).join(' | '));
  return lines.map((l) => l.trimEnd()).join('\n');
}
