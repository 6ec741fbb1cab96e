import type { MemoryId } from '../types.js';

export type Scope = 'mesh' | 'team' | 'private';
export const SCOPES = ['mesh', 'team', 'private'] as const;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The Automerge document of one memory. Times are epoch milliseconds (scalars merge cheaply). */
export interface MemoryDoc {
  v: number;
  id: string;
  content: string;
  category: string;
  tags: string[];
  context: string;
  project: string;
  scope: Scope;
  /** The team a `team`-scoped memory belongs to (absent on memories written before named teams). */
  team?: string;
  metadata: Record<string, JsonValue>;
  machine: string;
  agent: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
  deleted: boolean;
  deleted_at: number | null;
  deleted_reason: string | null;
}

/** A memory as tools and the CLI show it; also the stored view beside the document. */
export interface Memory {
  id: MemoryId;
  content: string;
  category: string;
  tags: string[];
  context: string;
  project: string;
  scope: Scope;
  /** Only on team-scoped memories that name their team. */
  team?: string;
  metadata: Record<string, JsonValue>;
  machine: string;
  agent: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
  deleted: boolean;
  deleted_at: string | null;
  deleted_reason: string | null;
  format_version: number;
}

export function toMemory(doc: MemoryDoc): Memory {
  return {
    id: doc.id as MemoryId,
    content: String(doc.content),
    category: String(doc.category),
    tags: [...doc.tags].map(String),
    context: String(doc.context),
    project: String(doc.project),
    scope: String(doc.scope) as Scope,
    ...(doc.team !== undefined && String(doc.scope) === 'team' ? { team: String(doc.team) } : {}),
    metadata: sortedKeys(JSON.parse(JSON.stringify(doc.metadata ?? {})) as Record<string, JsonValue>),
    machine: String(doc.machine),
    agent: String(doc.agent),
    created_at: new Date(doc.created_at).toISOString(),
    updated_at: new Date(doc.updated_at).toISOString(),
    updated_by: String(doc.updated_by),
    deleted: doc.deleted,
    deleted_at: doc.deleted_at === null ? null : new Date(doc.deleted_at).toISOString(),
    deleted_reason: doc.deleted_reason === null ? null : String(doc.deleted_reason),
    format_version: doc.v,
  };
}

/** Keys in a fixed order, so the same document gives the same view on every host. */
function sortedKeys(o: Record<string, JsonValue>): Record<string, JsonValue> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}
