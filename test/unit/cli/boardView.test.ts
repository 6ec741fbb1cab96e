import { describe, expect, it } from 'vitest';
import { BOARD_COLUMNS, boardColumns, renderBoard } from '../../../src/cli/boardView.js';
import type { TaskOut } from '../../../src/domain/Task.js';

function card(id: string, over: Partial<TaskOut>): TaskOut {
  const t = '2026-12-02T08:00:00.000Z';
  return {
    id,
    title: `card ${id}`,
    description: '',
    status: 'todo',
    workflow_status: 'todo',
    priority: 'medium',
    assignee: null,
    claim: null,
    required_capabilities: [],
    dependencies: [],
    blocked_by: [],
    progress: 0,
    project: '',
    comments: [],
    history: [],
    conflicts: [],
    machine: 'm',
    created_by: 'x',
    created_at: t,
    updated_at: t,
    updated_by: 'x',
    format_version: 1,
    ...over,
  };
}

describe('the terminal board', () => {
  const tasks = [
    card('aaaaaaaa-1', { title: 'rotate certificates on every es node', priority: 'critical', status: 'in_progress', assignee: 'sre-es-1', progress: 40 }),
    card('bbbbbbbb-2', { title: 'deploy', status: 'blocked', blocked_by: ['aaaaaaaa-1'] }),
    card('cccccccc-3', { title: 'write runbook', status: 'done' }),
  ];

  it('puts each card in the column of the status it shows, in board order', () => {
    const columns = boardColumns(tasks, BOARD_COLUMNS);
    expect(Object.keys(columns.columns)).toEqual(['todo', 'blocked', 'in_progress', 'review', 'done']);
    expect(columns.columns['blocked']!.cards.map((t) => t.id)).toEqual(['bbbbbbbb-2']);
    expect(columns.columns['todo']).toEqual({ total: 0, truncated: false, cards: [] });
  });

  it('draws columns side by side within the width, cutting long titles, with priority and assignee', () => {
    const text = renderBoard(boardColumns(tasks, BOARD_COLUMNS), 120);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^TODO \(0\)\s+\| BLOCKED \(1\)\s+\| IN_PROGRESS \(1\)\s+\| REVIEW \(0\)\s+\| DONE \(1\)$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
    expect(text).toContain('!!rotate certif');
    expect(text).toContain('  @sre-es-1 40% aaaa…');
    expect(text).toMatch(/…/);
  });

  it('stacks the columns on a narrow terminal', () => {
    const text = renderBoard(boardColumns(tasks, BOARD_COLUMNS), 60);
    expect(text.split('\n\n')).toHaveLength(5);
    expect(text).toContain('IN_PROGRESS (1)\n  !!rotate certificates on every es node\n    @sre-es-1 40% aaaaaaaa');
  });

  it('counts every card of a cut column in its header, says how many more, and shows merged cycles', () => {
    const board = boardColumns(tasks, BOARD_COLUMNS);
    board.columns['todo'] = { total: 348, truncated: true, cards: [card('dddddddd-4', { title: 'first of many' })] };
    board.cycles = [{ cycle: ['y', 'x', 'y'], set_aside: { task: 'y', dependency: 'x' } }];
    const text = renderBoard(board, 200);
    expect(text.split('\n')[0]).toMatch(/^TODO \(1 of 348\)/);
    expect(text).toContain('+347 more');
    expect(text).toContain('Columns cut short: todo.');
    expect(text).toContain("y -> x -> y: y's dependency on x is set aside");
  });
});
