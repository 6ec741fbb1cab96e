import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { MeshError } from '../errors.js';
import type { ConversationMemory, UpsertOutcome } from '../domain/lifecycle/conversationImport.js';
import { redactSecrets } from '../secrets/SecretDetector.js';
import { claudeProjectRoot, claudeProjectSlug } from './claudeMemoryDir.js';
import { IMPORT_BATCH, MAX_CLAUDE_MEMORY_FILE_BYTES, MAX_CLAUDE_MEMORY_FILES, MAX_CLAUDE_MEMORY_SECTIONS_PER_FILE, MAX_IMPORTED_MEMORY_CHARS } from './constants.js';
import { CLAUDE_CODE_TAG, type UpsertCall } from './importTranscript.js';
import { markdownSections } from './markdownSections.js';
import { projectOf } from './projectOf.js';

export const CLAUDE_MEMORY_TAG = 'claude-memory';

export interface ClaudeMemoryImportReport extends UpsertOutcome {
  dir: string;
  project: string | null;
  files: number;
  /** Files over the size limit, or past the file limit, left unread. */
  skipped_files: number;
  sections: number;
  secrets_redacted: number;
}

/**
 * Imports Claude Code's auto-memory folder (`MEMORY.md` and the other `.md` files beside it) as
 * conversation memories, one per markdown section. Ids come from host, folder, file and heading
 * path, and each is sent with `replace`, so a re-import adds only new sections and brings an
 * edited one up to date in place. Secrets are redacted here, before anything leaves this process.
 * A section deleted from the file is left in the mesh (forgetting is `delete_memory`'s job).
 */
export async function importClaudeMemory(dir: string, upsert: UpsertCall, opts: { project?: string; cwd?: string } = {}): Promise<ClaudeMemoryImportReport> {
  const abs = resolve(dir);
  const project = opts.project ?? projectFor(abs, opts.cwd);
  const report: ClaudeMemoryImportReport = { dir: abs, project: project ?? null, created: 0, updated: 0, unchanged: 0, erased: 0, files: 0, skipped_files: 0, sections: 0, secrets_redacted: 0 };
  const memories: ConversationMemory[] = [];
  const files = await memoryFiles(abs);
  report.skipped_files += Math.max(0, files.length - MAX_CLAUDE_MEMORY_FILES);
  for (const file of files.slice(0, MAX_CLAUDE_MEMORY_FILES)) {
    const path = join(abs, file);
    if ((await stat(path)).size > MAX_CLAUDE_MEMORY_FILE_BYTES) {
      report.skipped_files++;
      continue;
    }
    report.files++;
    // Secrets go before the text is cut into sections: a key split by the cut is still a key.
    const whole = await redactSecrets(await readFile(path, 'utf8'));
    report.secrets_redacted += whole.kinds.length;
    const seen = new Map<string, number>();
    for (const section of markdownSections(whole.text).slice(0, MAX_CLAUDE_MEMORY_SECTIONS_PER_FILE)) {
      const title = section.headings.join(' › ');
      // The same heading twice in a file gets its own id (numbered in file order).
      const n = (seen.get(title) ?? 0) + 1;
      seen.set(title, n);
      const anchor = `${file}\0${title}\0${n}`;
      const head = `Claude Code memory (${file})${title ? ` — ${title}` : ''}\n\n`;
      const cut = clip(head + section.body);
      const clean = await redactSecrets(cut);
      report.secrets_redacted += clean.kinds.length;
      memories.push({
        id: claudeMemoryId(abs, anchor),
        content: clean.text,
        ...(project ? { project } : {}),
        tags: [CLAUDE_CODE_TAG, CLAUDE_MEMORY_TAG],
        metadata: { source: 'claude-code-memory', file, ...(title ? { section: title } : {}) },
        replace: true,
      });
    }
  }
  report.sections = memories.length;
  for (let i = 0; i < memories.length; i += IMPORT_BATCH) {
    const r = await upsert(memories.slice(i, i + IMPORT_BATCH));
    report.created += r.created;
    report.updated += r.updated;
    report.unchanged += r.unchanged;
    report.erased += r.erased;
  }
  return report;
}

/** A stable id per host, folder and section (UUID version 8 from SHA-256): two hosts' memories never overwrite each other. */
export function claudeMemoryId(dir: string, anchor: string): string {
  const h = createHash('sha256').update(`hivemesh/claude-code-memory\0${hostname()}\0${dir}\0${anchor}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The project: the working directory's when the folder is that directory's Claude memory folder, else none (a slug cannot be turned back into a path). */
function projectFor(dir: string, cwd: string | undefined): string | undefined {
  if (!cwd) return undefined;
  return basename(dir) === 'memory' && basename(dirname(dir)) === claudeProjectSlug(claudeProjectRoot(cwd)) ? projectOf(cwd) : undefined;
}

function clip(text: string): string {
  return text.length <= MAX_IMPORTED_MEMORY_CHARS ? text : `${text.slice(0, MAX_IMPORTED_MEMORY_CHARS - 1)}…`;
}

/** The `.md` files of the folder (not its sub-folders), MEMORY.md first, then by name. */
async function memoryFiles(dir: string): Promise<string[]> {
  const s = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new MeshError('NOT_FOUND', `no Claude Code memory folder at ${dir}`) : err;
  });
  if (!s.isDirectory()) throw new MeshError('INVALID_INPUT', `${dir} is not a folder`);
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.md')).map((e) => e.name);
  return names.sort((a, b) => (a === 'MEMORY.md' ? -1 : b === 'MEMORY.md' ? 1 : a.localeCompare(b)));
}
