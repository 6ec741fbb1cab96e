import { describe, expect, it } from 'vitest';
import { mergedCycles, setAsideEdges } from '../../../src/domain/dependencyCycles.js';
import { blockedBy } from '../../../src/domain/taskGraph.js';
import type { TaskView } from '../../../src/domain/Task.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([id, dependencies]) => [id, { dependencies }]));

describe('dependency cycles of a merged board', () => {
  it('breaks each cycle at the greatest id, the same whatever order the tasks arrive in', () => {
    const a = mergedCycles(graph({ x: ['y'], y: ['x'], p: ['q'], q: ['r'], r: ['p'], solo: [] }));
    const b = mergedCycles(graph({ solo: [], r: ['p'], y: ['x'], q: ['r'], x: ['y'], p: ['q'] }));
    expect(a).toEqual(b);
    expect(a).toEqual([
      { cycle: ['r', 'p', 'q', 'r'], set_aside: { task: 'r', dependency: 'p' } },
      { cycle: ['y', 'x', 'y'], set_aside: { task: 'y', dependency: 'x' } },
    ]);
  });

  it('leaves the greater id unblocked by the set-aside edge and the other still waiting on it', () => {
    const views = new Map(
      Object.entries({ x: ['y'], y: ['x'] }).map(([id, dependencies]) => [id, { id, dependencies, status: 'todo' } as unknown as TaskView]),
    );
    const aside = setAsideEdges(mergedCycles(views));
    expect(blockedBy(views.get('y')!, views, aside)).toEqual([]);
    expect(blockedBy(views.get('x')!, views, aside)).toEqual(['y']);
  });

  it('finds none in an acyclic board, nor through tasks this host does not hold', () => {
    expect(mergedCycles(graph({ a: ['b'], b: ['c'], c: [], d: ['gone'] }))).toEqual([]);
  });
});
