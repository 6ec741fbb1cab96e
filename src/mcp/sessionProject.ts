/**
 * The project a session switched to (switch_project_context). It lives in the session's own
 * `mesh mcp` process, so two sessions on one host each keep theirs, and it ends with the session.
 * Writes that take a project and were given none get it (the caller's own value always wins).
 */

/** Daemon methods that write something with a `project` field. */
const PROJECT_WRITES = new Set(['memory.store', 'task.create', 'agent.delegate', 'agent.broadcast']);

export function withSessionProject(method: string, params: unknown, project: string | undefined): unknown {
  if (project === undefined || !PROJECT_WRITES.has(method)) return params;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  const p = params as Record<string, unknown>;
  return p.project === undefined ? { ...p, project } : params;
}
