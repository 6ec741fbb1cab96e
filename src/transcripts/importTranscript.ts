import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { MeshError } from '../errors.js';
import type { ConversationMemory, UpsertOutcome } from '../domain/lifecycle/conversationImport.js';
import { redactSecrets, redactSecretsMany } from '../secrets/SecretDetector.js';
import { IMPORT_BATCH, MAX_TRANSCRIPT_LINE_CHARS } from './constants.js';
import { distillSession, type ConversationDraft } from './distill.js';
import { projectOf } from './projectOf.js';
import { parseTranscriptLine, type ToolUse, type TranscriptEvent } from './transcriptEvents.js';

/** Sends one batch to the daemon (`conversation.upsert`). */
export type UpsertCall = (memories: ConversationMemory[]) => Promise<UpsertOutcome>;

export interface TranscriptImportReport extends UpsertOutcome {
  files: number;
  sessions: { session_id: string; project: string | null; lines: number; events: number; memories: number; errors_unresolved: number }[];
  lines: number;
  /** Lines that were not JSON or not a kind of line we read (system, snapshots, …). */
  skipped_lines: number;
  /** Secrets found and replaced before anything left this process. */
  secrets_redacted: number;
}

export const CLAUDE_CODE_TAG = 'claude-code';
const USED_INPUT_FIELDS = ['command', 'file_path', 'notebook_path', 'path'] as const;

/**
 * Imports Claude Code transcripts (a file or a folder of `.jsonl` files) as conversation memories.
 * Everything is read and distilled here, secrets are redacted here, and only the redacted
 * memories go to the daemon, with ids derived from session and anchor so re-imports add only
 * what is new.
 */
export async function importTranscripts(path: string, upsert: UpsertCall, opts: { project?: string } = {}): Promise<TranscriptImportReport> {
  const report: TranscriptImportReport = { created: 0, updated: 0, unchanged: 0, erased: 0, files: 0, sessions: [], lines: 0, skipped_lines: 0, secrets_redacted: 0 };
  for (const file of await transcriptFiles(path)) {
    report.files++;
    const { events: raw, lines } = await readEvents(file);
    report.lines += lines;
    report.skipped_lines += lines - raw.length;
    // Secrets go before anything is cut or combined: a clipped key is still part of a key.
    const { events, redacted } = await redactEvents(raw);
    report.secrets_redacted += redacted;
    const session = distillSession(events, basename(file, '.jsonl'));
    const project = opts.project ?? (session.cwd ? projectOf(session.cwd) : undefined);
    const memories: ConversationMemory[] = [];
    for (const draft of session.drafts) {
      const { memory, redacted: more } = await toMemory(session.sessionId, project, draft);
      report.secrets_redacted += more;
      memories.push(memory);
    }
    for (let i = 0; i < memories.length; i += IMPORT_BATCH) {
      const r = await upsert(memories.slice(i, i + IMPORT_BATCH));
      report.created += r.created;
      report.updated += r.updated;
      report.unchanged += r.unchanged;
      report.erased += r.erased;
    }
    report.sessions.push({ session_id: session.sessionId, project: project ?? null, lines, events: events.length, memories: memories.length, errors_unresolved: session.stats.errors_unresolved });
  }
  return report;
}

/** A stable memory id for a session's anchor: a UUID (version 8, name-based) from SHA-256. */
export function conversationMemoryId(sessionId: string, anchor: string): string {
  const h = createHash('sha256').update(`hivemesh/claude-code-transcript\0${sessionId}\0${anchor}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Every text the distiller may keep, with secrets replaced (one detector pass for the session); returns how many were found. */
async function redactEvents(events: TranscriptEvent[]): Promise<{ events: TranscriptEvent[]; redacted: number }> {
  const texts: string[] = [];
  const put: ((text: string) => void)[] = [];
  const out: TranscriptEvent[] = events.map((e) => {
    if (e.kind === 'prompt' || e.kind === 'summary') {
      const copy = { ...e };
      texts.push(e.text);
      put.push((t) => (copy.text = t));
      return copy;
    }
    if (e.kind === 'assistant') {
      const toolUses: ToolUse[] = e.toolUses.map((u) => ({ ...u, input: {} }));
      const copy = { ...e, texts: [...e.texts], toolUses };
      e.texts.forEach((t, i) => {
        texts.push(t);
        put.push((v) => (copy.texts[i] = v));
      });
      e.toolUses.forEach((u, i) => {
        // Only the fields the distiller reads (a Write's whole file content is never kept).
        for (const k of USED_INPUT_FIELDS) {
          const v = u.input[k];
          if (typeof v !== 'string') continue;
          texts.push(v);
          put.push((x) => (copy.toolUses[i]!.input[k] = x));
        }
      });
      return copy;
    }
    const copy = { ...e, results: e.results.map((r) => ({ ...r, text: '' })) };
    e.results.forEach((r, i) => {
      if (!r.isError) return;
      texts.push(r.text);
      put.push((t) => (copy.results[i]!.text = t));
    });
    return copy;
  });
  const r = await redactSecretsMany(texts);
  r.texts.forEach((t, i) => put[i]!(t));
  return { events: out, redacted: r.found };
}

/** A second pass over the drafts: nothing the first pass missed can be put together by the cuts. */
async function toMemory(sessionId: string, project: string | undefined, draft: ConversationDraft): Promise<{ memory: ConversationMemory; redacted: number }> {
  let redacted = 0;
  const clean = async (text: string) => {
    const r = await redactSecrets(text);
    redacted += r.kinds.length;
    return r.text;
  };
  const content = await clean(draft.content);
  const commands = await Promise.all(draft.commands.map(clean));
  const files = await Promise.all(draft.files.map(clean));
  const memory: ConversationMemory = {
    id: conversationMemoryId(sessionId, draft.anchor),
    content,
    ...(project ? { project } : {}),
    tags: [CLAUDE_CODE_TAG, draft.kind],
    metadata: {
      source: 'claude-code-transcript',
      session_id: sessionId,
      anchor: draft.anchor,
      ...(commands.length ? { commands } : {}),
      ...(files.length ? { files } : {}),
      ...(redacted ? { secrets_redacted: redacted } : {}),
    },
    ...(draft.time && !Number.isNaN(Date.parse(draft.time)) ? { created_at: new Date(draft.time).toISOString() } : {}),
    ...(draft.kind === 'summary' ? { replace: true } : {}),
  };
  return { memory, redacted };
}

async function readEvents(file: string): Promise<{ events: TranscriptEvent[]; lines: number }> {
  const events: TranscriptEvent[] = [];
  let lines = 0;
  const input = createReadStream(file, { encoding: 'utf8' });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      lines++;
      if (line.length === 0 || line.length > MAX_TRANSCRIPT_LINE_CHARS) continue;
      const event = parseTranscriptLine(line, lines);
      if (event) events.push(event);
    }
  } finally {
    reader.close();
    input.destroy();
  }
  return { events, lines };
}

/** A `.jsonl` file, or every `.jsonl` file under a folder (Claude Code keeps one per session). */
async function transcriptFiles(path: string): Promise<string[]> {
  const s = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new MeshError('NOT_FOUND', `no transcript at ${path}`) : err;
  });
  if (s.isFile()) return [path];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.jsonl')) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}
