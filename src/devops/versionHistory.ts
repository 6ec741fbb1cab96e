/**
 * Versions of a runbook or playbook, read from its own Automerge history: every change that set
 * the content is a version, and the text of a version is the document viewed at that change's
 * hash. One document holds every version, so erasing the runbook erases its past too (the one
 * erase path), replicas agree on the versions because they hold the same changes, and authorship
 * is the signed change's, not a claim. Two hosts editing the same version while apart both appear,
 * with the same number (`concurrent: true`); the current text is Automerge's merge of the two.
 */
import * as A from '@automerge/automerge';
import type { AttributedEntry } from '../authorship/historyAuthors.js';
import type { MemoryDoc } from '../domain/Memory.js';
import { NotFoundError } from '../errors.js';

export interface VersionInfo {
  version: number;
  hash: string;
  at: string;
  machine: string | null;
  agent: string | null;
  /** The signed author's host when the change's signature verifies, else null. */
  verified_host: string | null;
  concurrent: boolean;
}

interface Viewed {
  content: string;
  version: number;
}

function viewAt(doc: A.Doc<MemoryDoc>, hash: string): Viewed {
  const v = A.view(doc, [hash]);
  const md = (v.metadata ?? {}) as Record<string, unknown>;
  return { content: String(v.content), version: typeof md.version === 'number' ? md.version : 1 };
}

/** The versions in history order, each with who made it, where and when. */
export function listVersions(doc: A.Doc<MemoryDoc>, history: AttributedEntry[]): (VersionInfo & { content: string })[] {
  const out: (VersionInfo & { content: string })[] = [];
  for (const entry of history) {
    if (!entry.fields.includes('content')) continue;
    const viewed = viewAt(doc, entry.hash);
    out.push({
      version: viewed.version,
      hash: entry.hash,
      at: entry.time,
      machine: entry.machine,
      agent: entry.agent,
      verified_host: entry.author.status === 'verified' ? entry.author.host : null,
      concurrent: false,
      content: viewed.content,
    });
  }
  const seen = new Map<number, number>();
  for (const v of out) seen.set(v.version, (seen.get(v.version) ?? 0) + 1);
  for (const v of out) v.concurrent = (seen.get(v.version) ?? 0) > 1;
  return out;
}

/** The text of one version (the first change that made it, when two hosts made it concurrently). */
export function versionText(doc: A.Doc<MemoryDoc>, history: AttributedEntry[], id: string, version: number): VersionInfo & { content: string } {
  const found = listVersions(doc, history).find((v) => v.version === version);
  if (!found) throw new NotFoundError(`version ${version} of`, id);
  return found;
}
