/**
 * Conventions shared by the DevOps records of issue 13 (runbooks, playbooks, infrastructure state,
 * health records, projects). Each is a memory with a category, structured metadata and tags of the
 * form `kind:<kind>`, `host:<name>`, `type:<name>`: the tags are what the catalog filters on, so a
 * listing ("the open issues of db-2") is an index lookup, not a scan. No new collection, no new
 * protocol: they sync, merge, erase and are searched like any memory (docs/ARCHITECTURE.md,
 * "DevOps records").
 */
import type { JsonValue, Memory } from '../domain/Memory.js';
import { DEVOPS_NAME_CHARS } from './opsConstants.js';
import { z } from 'zod';

import type { Call } from './IncidentService.js';

export type { Call };

/** Names are compared without case; a longer one (a host name from elsewhere) is cut to fit a tag. */
const tagValue = (v: string) => v.trim().toLowerCase().slice(0, DEVOPS_NAME_CHARS);
export const kindTag = (kind: string) => `kind:${kind}`;
export const hostTag = (host: string) => `host:${tagValue(host)}`;
export const typeTag = (type: string) => `type:${tagValue(type)}`;
export const projectTag = (project: string) => `project:${tagValue(project)}`;

/**
 * A host, system or type name short enough to live in a tag (tags are at most 64 characters).
 * Checked by a refinement, which the advertised JSON schema leaves out: the devops group's tool
 * list must fit its token budget, and a bad name still gets this readable error.
 */
export const name = z.string().refine((v) => v.length <= DEVOPS_NAME_CHARS && /^[^\s,]+$/.test(v), `a name of 1-${DEVOPS_NAME_CHARS} characters, no spaces or commas`);

/** Non-blank text up to `max` characters (bounds checked as above, not advertised). */
export const text = (max: number) => z.string().refine((v) => v.trim().length > 0 && v.length <= max, `must be non-blank text of at most ${max} characters`);

/** A record id (memory id or a unique prefix of one). */
export const recordId = z.string().refine((v) => v.length > 0 && v.length <= 64, 'an id of 1-64 characters');

export const str = (v: JsonValue | undefined, fallback = ''): string => (typeof v === 'string' ? v : fallback);
export const strs = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const num = (v: JsonValue | undefined, fallback = 0): number => (typeof v === 'number' ? v : fallback);

/** Live records of a category carrying all `tags`, most recently updated first (daemon method devops.records). */
export async function listRecords(call: Call, category: string, tags: string[], limit: number): Promise<Memory[]> {
  const { results } = await call('devops.records', { category, tags, limit });
  return results;
}
