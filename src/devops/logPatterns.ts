import { open } from 'node:fs/promises';
import { LOG_FILE_MAX_BYTES, LOG_MAX_LINES } from '../constants.js';
import { InvalidInputError, MeshError, NotFoundError } from '../errors.js';
import { redactSecretsMany } from '../secrets/SecretDetector.js';
import { Drain, maskLine } from './Drain.js';

export interface LogTemplate {
  template: string;
  count: number;
  /** Time of its first and last line when lines carry a timestamp, else null. */
  first_seen: string | null;
  last_seen: string | null;
  /** 1-based line numbers of its first and last line. */
  first_line: number;
  last_line: number;
  /** Its first line, secrets redacted. */
  example: string;
  /** First seen at or after `since` (the deploy): a template that did not exist before. */
  new?: boolean;
}

export interface LogAnalysis {
  lines: number;
  templates: LogTemplate[];
  /** Templates beyond `limit`, left out. */
  more: number;
  timestamped: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\]?\s*/;
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2})\s+/;
const CLF = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})\]/;

/**
 * A line's time and the line without its leading timestamp (which would make every line unique).
 * ISO 8601 and syslog prefixes are removed; an access log's `[10/Oct/2026:13:55:36 +0000]` is read
 * where it stands. Syslog has no year: the given year is assumed (the current one by default).
 */
export function splitTimestamp(line: string, year = new Date().getUTCFullYear()): { at: number | null; rest: string } {
  let m = ISO.exec(line);
  if (m) {
    const at = Date.parse(m[1]!.replace(' ', 'T').replace(',', '.'));
    if (!Number.isNaN(at)) return { at, rest: line.slice(m[0].length) };
  }
  m = SYSLOG.exec(line);
  if (m && MONTHS.includes(m[1]!)) {
    const month = String(MONTHS.indexOf(m[1]!) + 1).padStart(2, '0');
    const at = Date.parse(`${year}-${month}-${m[2]!.padStart(2, '0')}T${m[3]}Z`);
    if (!Number.isNaN(at)) return { at, rest: line.slice(m[0].length) };
  }
  m = CLF.exec(line);
  if (m && MONTHS.includes(m[2]!)) {
    const month = String(MONTHS.indexOf(m[2]!) + 1).padStart(2, '0');
    const at = Date.parse(`${m[3]}-${month}-${m[1]}T${m[4]}${m[5]}:${m[6]}`);
    if (!Number.isNaN(at)) return { at, rest: line.replace(m[0], '') };
  }
  return { at: null, rest: line };
}

interface Seen {
  first: number | null;
  last: number | null;
  firstLine: number;
  lastLine: number;
  example: string;
}

/** Mines templates from log lines (Drain), with counts and first/last seen, most frequent first. */
export async function analyzeLogLines(lines: readonly string[], opts: { since?: string; limit?: number } = {}): Promise<LogAnalysis> {
  if (lines.length > LOG_MAX_LINES) throw new InvalidInputError(`at most ${LOG_MAX_LINES} lines per call (got ${lines.length}); analyse the tail`, { field: 'lines' });
  const drain = new Drain();
  const seen = new Map<number, Seen>();
  let timestamped = 0;
  let counted = 0;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!line.trim()) return;
    counted++;
    const { at, rest } = splitTimestamp(line);
    if (at !== null) timestamped++;
    const cluster = drain.add(maskLine(rest));
    const s = seen.get(cluster.id);
    if (!s) {
      seen.set(cluster.id, { first: at, last: at, firstLine: i + 1, lastLine: i + 1, example: line });
      return;
    }
    s.lastLine = i + 1;
    if (at !== null) {
      s.first = s.first === null ? at : Math.min(s.first, at);
      s.last = s.last === null ? at : Math.max(s.last, at);
    }
  });
  const since = opts.since === undefined ? undefined : Date.parse(opts.since);
  const ranked = [...drain.all()].sort((a, b) => b.count - a.count || a.id - b.id);
  const kept = ranked.slice(0, opts.limit ?? 50);
  // Examples and templates are log text: a token in a log must not reach an agent's context or a memory.
  const { texts } = await redactSecretsMany(kept.flatMap((c) => [c.tokens.join(' '), seen.get(c.id)!.example]));
  const templates = kept.map((c, i): LogTemplate => {
    const s = seen.get(c.id)!;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      template: texts[2 * i]!,
      count: c.count,
      first_seen: iso(s.first),
      last_seen: iso(s.last),
      first_line: s.firstLine,
      last_line: s.lastLine,
      example: texts[2 * i + 1]!.slice(0, 500),
      ...(since !== undefined && s.first !== null ? { new: s.first >= since } : {}),
    };
  });
  return { lines: counted, templates, more: ranked.length - kept.length, timestamped };
}

/** Reads a log file on this host: a regular file within LOG_FILE_MAX_BYTES. */
export async function readLogFile(path: string): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError('log file', path);
    throw new MeshError('INVALID_INPUT', `cannot read ${path}: ${code ?? 'error'}`, { path });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InvalidInputError(`${path} is not a regular file`, { path });
    if (st.size > LOG_FILE_MAX_BYTES) throw new InvalidInputError(`${path} is ${st.size} bytes; the limit is ${LOG_FILE_MAX_BYTES} (pass its tail as lines)`, { path });
    return (await handle.readFile('utf8')).split(/\r?\n/);
  } finally {
    await handle.close();
  }
}
