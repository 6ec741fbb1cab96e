import { projectOf } from './projectOf.js';
import {
  MAX_COMMANDS_PER_MEMORY,
  MAX_DECISIONS_PER_SESSION,
  MAX_ERRORS_PER_SESSION,
  MAX_FILES_PER_MEMORY,
  MAX_IMPORTED_MEMORY_CHARS,
  MAX_SUMMARY_COMMANDS,
  MAX_SUMMARY_FILES,
  MIN_DECISION_CHARS,
  RESOLUTION_WINDOW_EVENTS,
} from './constants.js';
import type { ToolUse, TranscriptEvent } from './transcriptEvents.js';

/** One memory drawn from a session, before secrets are redacted and before it is stored. */
export interface ConversationDraft {
  /** What anchors it in the transcript: the same session and anchor always give the same memory. */
  anchor: string;
  kind: 'summary' | 'decision' | 'error';
  content: string;
  commands: string[];
  files: string[];
  time: string | undefined;
}

export interface DistilledSession {
  sessionId: string;
  cwd: string | undefined;
  drafts: ConversationDraft[];
  /** What was read and what was left out, for the report. */
  stats: { events: number; prompts: number; decisions_found: number; errors_found: number; errors_unresolved: number };
}

/** Words by which an assistant states a decision or a fix. */
const DECISION = /\b(fixed|fixes|the fix|root cause|resolved|the (?:issue|problem|bug|error|failure) (?:was|is|came)|caused by|because|decided|decision|we(?:'ll| will) use|I(?:'ll| will) use|switched to|instead of|workaround|turned out|the reason|solution|changed .{1,40} to)\b/i;
/** Tool answers that are a refusal or a misuse of the tool, not an error in the work. */
const NOT_A_WORK_ERROR = /doesn't want to proceed|tool use was rejected|<tool_use_error>|has not been read yet|File has been modified since read/i;
/** Input fields of Claude Code's file tools (Edit, Write, MultiEdit, NotebookEdit, Read…) that name a file. */
const FILE_FIELDS = ['file_path', 'notebook_path', 'path'];
/** Tools that change files (reading a file is not worth listing). */
const WRITING_TOOLS = /^(Edit|MultiEdit|Write|NotebookEdit|str_replace|create)/i;

/**
 * Turns a session's events into a few memories: a summary of the session, each decision or fix
 * the assistant stated with the commands and files of its turn, and errors met with how they
 * were resolved. Deterministic in the events, and prefix-stable: a grown transcript yields the
 * same drafts for the part already seen (the summary grows), so re-imports add only what is new.
 */
export function distillSession(events: readonly TranscriptEvent[], fallbackSessionId: string): DistilledSession {
  const sessionId = firstField(events, 'sessionId') ?? fallbackSessionId;
  const cwd = firstField(events, 'cwd');
  const toolUses = new Map<string, ToolUse>();
  const prompts: string[] = [];
  const summaries: string[] = [];
  const allCommands: string[] = [];
  const allFiles: string[] = [];
  const decisions: ConversationDraft[] = [];
  const errors: ConversationDraft[] = [];
  let errorsFound = 0;
  let unresolved = 0;
  const seenErrors = new Set<string>();
  let turn: { commands: string[]; files: string[] } = { commands: [], files: [] };
  let first: string | undefined;
  let last: string | undefined;

  events.forEach((event, index) => {
    if ('time' in event && event.time) {
      first ??= event.time;
      last = event.time;
    }
    if (event.kind === 'summary') summaries.push(event.text);
    else if (event.kind === 'prompt') {
      prompts.push(event.text);
      turn = { commands: [], files: [] };
    } else if (event.kind === 'assistant') {
      for (const use of event.toolUses) {
        toolUses.set(use.id, use);
        const command = commandOf(use);
        if (command) {
          pushUnique(turn.commands, command);
          pushUnique(allCommands, command);
        }
        const file = fileOf(use);
        if (file && WRITING_TOOLS.test(use.name)) {
          pushUnique(turn.files, file);
          pushUnique(allFiles, file);
        }
      }
      event.texts.forEach((text, i) => {
        if (text.length < MIN_DECISION_CHARS || !DECISION.test(text)) return;
        decisions.push({
          anchor: `${event.uuid}#${i}`,
          kind: 'decision',
          content: clip(text.trim(), MAX_IMPORTED_MEMORY_CHARS - 600),
          commands: turn.commands.slice(-MAX_COMMANDS_PER_MEMORY),
          files: turn.files.slice(0, MAX_FILES_PER_MEMORY),
          time: event.time,
        });
      });
    } else {
      for (const result of event.results) {
        if (!result.isError || NOT_A_WORK_ERROR.test(result.text)) continue;
        errorsFound++;
        const use = toolUses.get(result.toolUseId);
        const message = firstLines(result.text, 3, 400);
        if (!message || seenErrors.has(message)) continue;
        seenErrors.add(message);
        const resolution = resolutionAfter(events, index);
        if (!resolution) {
          unresolved++;
          continue;
        }
        const command = use ? commandOf(use) ?? `${use.name} ${fileOf(use) ?? ''}`.trim() : 'a tool call';
        errors.push({
          anchor: `${event.uuid}:${result.toolUseId}`,
          kind: 'error',
          content: clip(`Error met: ${command}\n${message}\nResolved: ${resolution.text}`, MAX_IMPORTED_MEMORY_CHARS - 400),
          commands: [command],
          files: use && fileOf(use) ? [fileOf(use)!] : [],
          time: event.time,
        });
      }
    }
  });

  const project = cwd ? projectOf(cwd) : undefined;
  const summaryLines = [
    `Claude Code session ${sessionId.slice(0, 8)}${project ? ` in ${project}` : ''}${first ? `, ${first.slice(0, 16).replace('T', ' ')}` : ''}${last && last !== first ? ` to ${last.slice(0, 16).replace('T', ' ')}` : ''}, ${prompts.length} prompt${prompts.length === 1 ? '' : 's'}.`,
    ...(summaries.length ? [`Summary: ${summaries.slice(-3).join(' / ')}`] : []),
    ...(prompts.length ? [`Asked: ${clip(oneLine(prompts[0]!), 300)}`] : []),
    ...prompts.slice(1, 4).map((p) => `Then: ${clip(oneLine(p), 150)}`),
    ...(allFiles.length ? [`Files changed: ${allFiles.slice(0, MAX_SUMMARY_FILES).join(', ')}${allFiles.length > MAX_SUMMARY_FILES ? ` (+${allFiles.length - MAX_SUMMARY_FILES})` : ''}`] : []),
    ...(allCommands.length ? [`Commands: ${allCommands.slice(0, MAX_SUMMARY_COMMANDS).map((c) => `\`${clip(c, 120)}\``).join('; ')}`] : []),
    ...(errorsFound ? [`Errors met: ${errorsFound} (${errors.length} with a stated resolution)`] : []),
  ];
  const drafts: ConversationDraft[] = [];
  if (prompts.length || summaries.length) {
    drafts.push({ anchor: 'summary', kind: 'summary', content: clip(summaryLines.join('\n'), MAX_IMPORTED_MEMORY_CHARS), commands: [], files: allFiles.slice(0, MAX_SUMMARY_FILES), time: last });
  }
  drafts.push(...decisions.slice(0, MAX_DECISIONS_PER_SESSION), ...errors.slice(0, MAX_ERRORS_PER_SESSION));
  return {
    sessionId,
    cwd,
    drafts,
    stats: { events: events.length, prompts: prompts.length, decisions_found: decisions.length, errors_found: errorsFound, errors_unresolved: unresolved },
  };
}

/** The first statement of a fix after an error, within a few events. */
function resolutionAfter(events: readonly TranscriptEvent[], index: number): { text: string } | undefined {
  for (const e of events.slice(index + 1, index + 1 + RESOLUTION_WINDOW_EVENTS)) {
    if (e.kind !== 'assistant') continue;
    const text = e.texts.find((t) => DECISION.test(t));
    if (text) return { text: clip(oneLine(text), 600) };
  }
  return undefined;
}

function firstField(events: readonly TranscriptEvent[], key: 'sessionId' | 'cwd'): string | undefined {
  for (const e of events) if (e.kind !== 'summary' && e[key]) return e[key];
  return undefined;
}

function commandOf(use: ToolUse): string | undefined {
  const command = use.input['command'];
  return typeof command === 'string' && command.trim() ? clip(oneLine(command.trim()), 300) : undefined;
}

function fileOf(use: ToolUse): string | undefined {
  for (const field of FILE_FIELDS) {
    const value = use.input[field];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function firstLines(text: string, n: number, max: number): string {
  return clip(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, n)
      .join('\n'),
    max,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
