import type { TaskView } from './Task.js';

/** Dependency rules of the board, on the tasks this host holds. */

/** Dependencies not done yet. A dependency this host does not hold (erased, or not replicated yet) does not block. */
export function blockedBy(task: Pick<TaskView, 'dependencies'> & { id?: string }, tasks: ReadonlyMap<string, TaskView>, setAside?: (task: string, dep: string) => boolean): string[] {
  return task.dependencies.filter((dep) => {
    if (task.id !== undefined && setAside?.(task.id, dep)) return false; // a merged cycle's edge (dependencyCycles.ts)
    const t = tasks.get(dep);
    return t !== undefined && t.status !== 'done';
  });
}

/**
 * The cycle that giving `id` the dependencies `deps` would close, as a path of ids from `id` back
 * to itself; undefined when there is none. Depth-first over the dependency edges.
 */
export function cycleThrough(id: string, deps: readonly string[], tasks: ReadonlyMap<string, TaskView>): string[] | undefined {
  const seen = new Set<string>();
  const walk = (node: string, path: string[]): string[] | undefined => {
    if (node === id) return [...path, node];
    if (seen.has(node)) return undefined;
    seen.add(node);
    for (const next of tasks.get(node)?.dependencies ?? []) {
      const found = walk(next, [...path, node]);
      if (found) return found;
    }
    return undefined;
  };
  for (const dep of deps) {
    const found = walk(dep, [id]);
    if (found) return found;
  }
  return undefined;
}

/** Tasks that list `id` among their dependencies. */
export function dependentsOf(id: string, tasks: Iterable<TaskView>): TaskView[] {
  return [...tasks].filter((t) => t.dependencies.includes(id));
}
