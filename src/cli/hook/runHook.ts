import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/MeshConfig.js';
import type { ConversationMemory } from '../../domain/lifecycle/conversationImport.js';
import { claudeMemoryDir } from '../../transcripts/claudeMemoryDir.js';
import { homePaths, resolveHome } from '../../home.js';
import type { DaemonClient } from '../../ipc/DaemonClient.js';
import { ensureDaemon } from '../../ipc/ensureDaemon.js';
import {
  DEFAULT_BRIEFING_CHARS,
  DEFAULT_PROMPT_CHARS,
  DEFAULT_PROMPT_MEMORIES,
  MAX_BRIEFING_CHARS,
  MAX_PROMPT_CHARS,
  MAX_PROMPT_MEMORIES,
  MIN_BRIEFING_CHARS,
  MIN_PROMPT_CHARS,
} from '../../briefing/constants.js';
import { projectOf } from '../../transcripts/projectOf.js';
import type { BriefingInput } from '../../briefing/Briefing.js';

type BriefingSource = NonNullable<BriefingInput['source']>;
const SOURCES: ReadonlySet<string> = new Set<BriefingSource>(['startup', 'resume', 'clear', 'compact']);
const isSource = (s: string): s is BriefingSource => SOURCES.has(s);

export const HOOK_EVENTS = ['session-start', 'user-prompt', 'pre-compact', 'session-end'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export interface HookOptions {
  home?: string;
  /** Characters of the session-start briefing (or the user-prompt memories). */
  budget?: number;
  /** user-prompt: memories at most. */
  limit?: number;
}

/** The JSON Claude Code writes on a hook's stdin (the fields we use; others are ignored). */
interface HookInput {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  hook_event_name?: string;
  source?: string;
  prompt?: string;
}

/** How long a hook waits for a daemon it had to start: Claude Code's own hook timeout is longer. */
const DAEMON_START_WAIT_MS = 10_000;
/** How long to wait for stdin when Claude Code sends nothing (run by hand, in a terminal). */
const STDIN_WAIT_MS = 2_000;

/**
 * Runs one Claude Code hook and returns what to print on stdout (empty: print nothing). It never
 * throws: a hook that fails must not fail the session, so problems go to `warn` (stderr, which
 * Claude Code shows only in verbose mode).
 */
export async function runHook(event: HookEvent, opts: HookOptions, stdin: NodeJS.ReadableStream, warn: (line: string) => void): Promise<string> {
  let client: DaemonClient | undefined;
  try {
    const input = parseInput(await readAll(stdin));
    const home = resolveHome(opts.home);
    const cwd = input.cwd ?? process.cwd();
    const ctx = { agent: 'claude-code-hook', ...(input.session_id ? { session: input.session_id.slice(0, 200) } : {}) };
    if (event === 'session-start') {
      client = await ensureDaemon(home, ctx, { timeoutMs: DAEMON_START_WAIT_MS });
      const source = input.source && isSource(input.source) ? input.source : undefined;
      const r = await client.call('hook.briefing', { project: projectOf(cwd), ...(source ? { source } : {}), budget: clamp(opts.budget ?? envBudget() ?? DEFAULT_BRIEFING_CHARS, MIN_BRIEFING_CHARS, MAX_BRIEFING_CHARS) });
      return r.text;
    }
    if (event === 'user-prompt') {
      if (!input.prompt?.trim()) return '';
      // Per prompt: never start a daemon (session-start did, or the user does not want one).
      client = await ensureDaemon(home, ctx, { autostart: false });
      const r = await client.call('hook.promptMemories', {
        prompt: input.prompt.slice(0, 20_000),
        project: projectOf(cwd),
        limit: clamp(opts.limit ?? DEFAULT_PROMPT_MEMORIES, 1, MAX_PROMPT_MEMORIES),
        budget: clamp(opts.budget ?? DEFAULT_PROMPT_CHARS, MIN_PROMPT_CHARS, MAX_PROMPT_CHARS),
      });
      return r.text;
    }
    // pre-compact, session-end: import what the session has said so far.
    // A config this hook cannot read must not stop the transcript import: the memory import is then off.
    const importMemory = await loadConfig(homePaths(home).config).then(
      (c) => c.claude.importMemory,
      (err: unknown) => {
        warn(`hivemesh hook ${event}: ${(err as Error).message}`);
        return false;
      },
    );
    if (!input.transcript_path && !importMemory) return '';
    client = await ensureDaemon(home, ctx, { timeoutMs: DAEMON_START_WAIT_MS });
    const c = client;
    const upsert = (memories: ConversationMemory[]) => c.call('conversation.upsert', { memories });
    if (input.transcript_path) {
      const { importTranscripts } = await import('../../transcripts/importTranscript.js');
      const r = await importTranscripts(input.transcript_path, upsert);
      warn(`hivemesh: imported ${r.created} new and ${r.updated} updated memories from the transcript`);
    }
    // Opt-in (config claude.importMemory): Claude Code's own auto-memory for this directory, when it has one.
    if (importMemory && existsSync(claudeMemoryDir(cwd))) {
      const { importClaudeMemory } = await import('../../transcripts/importClaudeMemory.js');
      const r = await importClaudeMemory(claudeMemoryDir(cwd), upsert, { cwd });
      warn(`hivemesh: imported ${r.created} new and ${r.updated} updated memories from Claude Code's memory files`);
    }
    return '';
  } catch (err) {
    warn(`hivemesh hook ${event}: ${(err as Error).message}`);
    return '';
  } finally {
    client?.close();
  }
}

/** A budget or limit out of the daemon's bounds is brought within them: the daemon would refuse it, and the session would get nothing. */
function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

function envBudget(): number | undefined {
  const n = Number(process.env['MESH_BRIEFING_CHARS']);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function parseInput(text: string): HookInput {
  if (!text.trim()) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    const o = v as Record<string, unknown>;
    const s = (k: string) => (typeof o[k] === 'string' ? (o[k]) : undefined);
    const out: HookInput = {};
    for (const k of ['session_id', 'transcript_path', 'cwd', 'hook_event_name', 'source', 'prompt'] as const) {
      const value = s(k);
      if (value !== undefined) out[k] = value;
    }
    return out;
  } catch {
    return {};
  }
}

/** All of stdin, or what came before a short wait when nothing is piped in. */
function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  if ((stream as { isTTY?: boolean }).isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    let data = '';
    const timer = setTimeout(() => done(), STDIN_WAIT_MS);
    const done = () => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      resolve(data);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (data += chunk));
    stream.once('end', done);
    stream.once('error', done);
  });
}
