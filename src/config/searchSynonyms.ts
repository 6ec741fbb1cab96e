import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../version.js';

/** One group of equivalent terms: words or short phrases a team may use for the same thing. */
export const SynonymGroupSchema = z.array(z.string().min(1).max(80)).min(2).max(64);

const FileSchema = z.object({ $comment: z.string().optional(), groups: z.array(SynonymGroupSchema) }).strict();

/** The repository's `config/search-synonyms.json`: the DevOps thesaurus every host starts from. */
const DEFAULT_FILE = join(PACKAGE_ROOT, 'config', 'search-synonyms.json');

let defaults: string[][] | undefined;

/** The default groups, read once from config/ (the file ships with the package). */
export function defaultSynonymGroups(): string[][] {
  defaults ??= FileSchema.parse(JSON.parse(readFileSync(DEFAULT_FILE, 'utf8'))).groups;
  return defaults;
}
