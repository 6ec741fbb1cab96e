import { Writable } from 'node:stream';

/** pino's numeric levels, as words a person reads. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has; shown in the line's frame, not repeated as key=value. */
const FRAME = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'mod']);

/**
 * One pino JSON line as a line for a terminal: `12:04:31 INFO  [sync] pulled from b  fetched=3`.
 * An error's stack is kept under its line, indented, so a person sees where it came from.
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toISOString().slice(11, 19) : '--:--:--';
  const level = LEVELS[Number(entry['level'])] ?? String(entry['level']);
  const mod = typeof entry['mod'] === 'string' ? ` [${entry['mod']}]` : '';
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (FRAME.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object') {
      const err = value as { message?: string; stack?: string };
      fields.push(`err=${JSON.stringify(err.message ?? '')}`);
      if (err.stack) stack = `\n    ${err.stack.split('\n').slice(1).map((l) => l.trim()).join('\n    ')}`;
      continue;
    }
    fields.push(`${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  }
  return `${time} ${level}${mod} ${typeof entry['msg'] === 'string' ? entry['msg'] : ''}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}`;
}

/**
 * A synchronous stream for pino that writes pretty lines to a file descriptor (stderr). Written in
 * the process rather than as a pino transport (a worker thread), so the last lines before an exit
 * are never lost, and with no extra dependency.
 */
export function prettyStream(write: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) write(`${prettyLine(line)}\n`);
      done();
    },
  });
}
