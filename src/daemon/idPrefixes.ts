import { AMBIGUOUS_ID_CANDIDATES, MIN_ID_PREFIX } from '../constants.js';
import { MeshError } from '../errors.js';
import type { Collection } from '../types.js';

/** What the resolver needs from the store: does an id exist, and which ids start with a prefix. */
export interface IdLookup {
  exists(collection: Collection, id: string): Promise<boolean>;
  idsWithPrefix(collection: Collection, prefix: string, limit: number): Promise<string[]>;
}

/**
 * Parameters that name a document, by the collection they name. Every method of the socket API
 * (and so every MCP tool and CLI command) accepts a unique prefix in these fields, like git.
 */
const ID_FIELDS: Readonly<Record<string, Collection>> = {
  memory_id: 'memories',
  keep_id: 'memories',
  duplicate_ids: 'memories',
  task_id: 'tasks',
  dependencies: 'tasks',
  agent_id: 'agents',
  target_agent: 'agents',
  assignee: 'agents',
};

const NOUN: Partial<Record<Collection, string>> = { memories: 'memory', tasks: 'task', agents: 'agent' };

/**
 * An id as given when it exists or matches nothing (the method then answers NOT_FOUND or ERASED as
 * for any id); the full id when it is the prefix of exactly one; AMBIGUOUS_ID when of several.
 */
export async function resolveId(lookup: IdLookup, collection: Collection, given: string): Promise<string> {
  if (given.length < MIN_ID_PREFIX || (await lookup.exists(collection, given))) return given;
  const matches = await lookup.idsWithPrefix(collection, given, AMBIGUOUS_ID_CANDIDATES + 1);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) return given;
  const shown = matches.slice(0, AMBIGUOUS_ID_CANDIDATES).join(', ');
  throw new MeshError('AMBIGUOUS_ID', `${NOUN[collection] ?? 'id'} id "${given}" is ambiguous: it matches ${shown}${matches.length > AMBIGUOUS_ID_CANDIDATES ? ' and more' : ''}; give more characters`, {
    given,
    candidates: matches.slice(0, AMBIGUOUS_ID_CANDIDATES),
  });
}

/** The params with every id field (string or list of strings) resolved; other fields untouched. */
export async function resolveIdPrefixes(lookup: IdLookup, params: unknown): Promise<unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return params;
  const out: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  for (const [field, collection] of Object.entries(ID_FIELDS)) {
    const value = out[field];
    if (typeof value === 'string') out[field] = await resolveId(lookup, collection, value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[field] = await Promise.all(value.map((v: string) => resolveId(lookup, collection, v)));
  }
  return out;
}
