import type { TaskView } from './Task.js';

/**
 * A dependency cycle in the merged board, and the edge set aside to break it. Creating a cycle on
 * one host is refused, but two hosts apart can each add one half (X depends on Y on one, Y on X
 * on the other); after they merge, both documents are valid alone and the cycle exists only in
 * their union. No write is made to fix it (two hosts fixing it at once would fight): every host
 * derives the same resolution from the same documents.
 */
export interface MergedCycle {
  /** The cycle as a path, from the task whose edge is set aside back to it. */
  cycle: string[];
  /** Rule: the dependency of the cycle's greatest task id on its successor in the cycle does not block. */
  set_aside: { task: string; dependency: string };
}

export const CYCLE_RULE = 'merged dependency cycle: the dependency of the cycle\'s greatest task id on the next task in the cycle is set aside (does not block) until someone edits the dependencies';

const edge = (task: string, dep: string) => `${task}\n${dep}`;

/**
 * Every cycle of the dependency graph of the tasks this host holds, broken one at a time by the
 * rule (deterministic: ids in sorted order, the same on every host holding the same tasks).
 */
export function mergedCycles(tasks: ReadonlyMap<string, Pick<TaskView, 'dependencies'>>): MergedCycle[] {
  const aside = new Set<string>();
  const found: MergedCycle[] = [];
  const ids = [...tasks.keys()].sort();
  for (let guard = 0; guard <= tasks.size; guard++) {
    const cycle = findCycle(ids, tasks, aside);
    if (!cycle) break;
    const nodes = cycle.slice(0, -1);
    const top = nodes.reduce((a, b) => (b > a ? b : a));
    const at = nodes.indexOf(top);
    const rotated = [...nodes.slice(at), ...nodes.slice(0, at), top];
    aside.add(edge(top, rotated[1]!));
    found.push({ cycle: rotated, set_aside: { task: top, dependency: rotated[1]! } });
  }
  return found;
}

/** The edges set aside by `cycles`, for blockedBy. */
export function setAsideEdges(cycles: readonly MergedCycle[]): (task: string, dep: string) => boolean {
  const aside = new Set(cycles.map((c) => edge(c.set_aside.task, c.set_aside.dependency)));
  return (task, dep) => aside.has(edge(task, dep));
}

/** A cycle (path back to its first node) among edges not set aside, by depth-first search in id order. */
function findCycle(ids: readonly string[], tasks: ReadonlyMap<string, Pick<TaskView, 'dependencies'>>, aside: ReadonlySet<string>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const walk = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const dep of [...(tasks.get(node)?.dependencies ?? [])].sort()) {
      if (!tasks.has(dep) || aside.has(edge(node, dep))) continue;
      const s = state.get(dep);
      if (s === 'open') return [...path.slice(path.indexOf(dep)), dep];
      if (s === undefined) {
        const found = walk(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const id of ids) {
    if (state.has(id)) continue;
    const found = walk(id);
    if (found) return found;
  }
  return undefined;
}
