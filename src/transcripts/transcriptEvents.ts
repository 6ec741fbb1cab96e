/**
 * Claude Code transcripts are JSON Lines with no published schema, so each line is read
 * leniently into a small event: what a user asked, what the assistant said and ran, what a tool
 * answered, a summary. Lines of other types (system, file-history-snapshot, …), meta lines and
 * anything malformed are skipped, never fatal.
 */
export interface ToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResult {
  toolUseId: string;
  text: string;
  isError: boolean;
}

export type TranscriptEvent =
  | { kind: 'prompt'; line: number; uuid: string; sessionId?: string; cwd?: string; time?: string; text: string }
  | { kind: 'assistant'; line: number; uuid: string; sessionId?: string; cwd?: string; time?: string; texts: string[]; toolUses: ToolUse[] }
  | { kind: 'results'; line: number; uuid: string; sessionId?: string; cwd?: string; time?: string; results: ToolResult[] }
  | { kind: 'summary'; line: number; uuid: string; text: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** User text that Claude Code itself wrote (slash-command echoes, caveats), not a person's prompt. */
const SYNTHETIC_PROMPT = /^\s*<(command-name|command-message|local-command-stdout|local-command-stderr|system-reminder)>|^\s*Caveat: /;

/** One line of a transcript as an event, or undefined for lines that carry nothing to keep. */
export function parseTranscriptLine(raw: string, line: number): TranscriptEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObj(value)) return undefined;
  const uuid = str(value['uuid']) ?? `line-${line}`;
  const base = { line, uuid, ...opt('sessionId', str(value['sessionId'])), ...opt('cwd', str(value['cwd'])), ...opt('time', str(value['timestamp'])) };
  const type = value['type'];
  if (type === 'summary') {
    const text = str(value['summary']);
    // A summary describes the conversation up to its leaf: the leaf anchors it.
    return text ? { kind: 'summary', line, uuid: str(value['leafUuid']) ?? uuid, text } : undefined;
  }
  if (value['isMeta'] === true) return undefined;
  const message = value['message'];
  if (!isObj(message)) return undefined;
  const content = message['content'];
  if (type === 'user') {
    if (typeof content === 'string') return SYNTHETIC_PROMPT.test(content) ? undefined : { kind: 'prompt', ...base, text: content };
    if (!Array.isArray(content)) return undefined;
    const results: ToolResult[] = [];
    const texts: string[] = [];
    for (const block of content) {
      if (!isObj(block)) continue;
      if (block['type'] === 'tool_result') results.push({ toolUseId: str(block['tool_use_id']) ?? '', text: blockText(block['content']), isError: block['is_error'] === true });
      else if (block['type'] === 'text' && typeof block['text'] === 'string') texts.push(block['text']);
    }
    if (results.length) return { kind: 'results', ...base, results };
    const text = texts.join('\n');
    return text && !SYNTHETIC_PROMPT.test(text) ? { kind: 'prompt', ...base, text } : undefined;
  }
  if (type === 'assistant') {
    if (!Array.isArray(content)) return typeof content === 'string' ? { kind: 'assistant', ...base, texts: [content], toolUses: [] } : undefined;
    const texts: string[] = [];
    const toolUses: ToolUse[] = [];
    for (const block of content) {
      if (!isObj(block)) continue;
      if (block['type'] === 'text' && typeof block['text'] === 'string') texts.push(block['text']);
      else if (block['type'] === 'tool_use') toolUses.push({ id: str(block['id']) ?? '', name: str(block['name']) ?? 'tool', input: isObj(block['input']) ? block['input'] : {} });
    }
    return texts.length || toolUses.length ? { kind: 'assistant', ...base, texts, toolUses } : undefined;
  }
  return undefined;
}

/** A tool result's content: a string, or text blocks (images and the rest dropped). */
function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isObj)
    .map((b) => (b['type'] === 'text' && typeof b['text'] === 'string' ? b['text'] : ''))
    .filter(Boolean)
    .join('\n');
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
