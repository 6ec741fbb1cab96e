import type { Memory, Scope } from '../domain/Memory.js';

/** What filters and listings need about a memory, kept in memory so they never touch the disk. */
export interface CatalogEntry {
  category: string;
  project: string;
  machine: string;
  agent: string;
  tags: string[];
  scope: Scope;
  created: number;
  updated: number;
  deleted: boolean;
  deletedAt: number | null;
}

export function catalogEntryOf(memory: Memory): CatalogEntry {
  return {
    category: memory.category,
    project: memory.project,
    machine: memory.machine,
    agent: memory.agent,
    tags: memory.tags,
    scope: memory.scope,
    created: Date.parse(memory.created_at),
    updated: Date.parse(memory.updated_at),
    deleted: memory.deleted,
    deletedAt: memory.deleted_at === null ? null : Date.parse(memory.deleted_at),
  };
}

export interface CatalogFilter {
  category?: string | undefined;
  project?: string | undefined;
  machine?: string | undefined;
  tags?: string[] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  includeDeleted?: boolean | undefined;
  onlyDeleted?: boolean | undefined;
}

export function matches(entry: CatalogEntry, f: CatalogFilter): boolean {
  if (f.onlyDeleted && !entry.deleted) return false;
  if (!f.includeDeleted && !f.onlyDeleted && entry.deleted) return false;
  if (f.category !== undefined && entry.category !== f.category) return false;
  if (f.project !== undefined && entry.project !== f.project) return false;
  if (f.machine !== undefined && entry.machine !== f.machine) return false;
  if (f.since !== undefined && entry.updated < f.since) return false;
  if (f.until !== undefined && entry.updated >= f.until) return false;
  if (f.tags && f.tags.length > 0 && !f.tags.every((t) => entry.tags.includes(t))) return false;
  return true;
}
