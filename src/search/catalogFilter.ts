import type { CatalogFilter } from './MemoryIndex.js';

/** The filter fields a search, a listing or a bulk delete takes (times as ISO strings). */
export interface FilterFields {
  category?: string | undefined;
  project?: string | undefined;
  machine?: string | undefined;
  agent?: string | undefined;
  tags?: string[] | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** The catalog filter of a request: one place that turns its fields into what MemoryIndex filters by. */
export function catalogFilter(fields: FilterFields, deleted: { includeDeleted?: boolean } = {}): CatalogFilter {
  return {
    category: fields.category,
    project: fields.project,
    machine: fields.machine,
    agent: fields.agent,
    tags: fields.tags,
    since: fields.since ? Date.parse(fields.since) : undefined,
    until: fields.until ? Date.parse(fields.until) : undefined,
    ...(deleted.includeDeleted !== undefined ? { includeDeleted: deleted.includeDeleted } : {}),
  };
}
