import { exitCodeFor, toMeshError } from '../errors.js';
import { terminalSafe } from './terminalSafe.js';

/** The only module that writes to stdout/stderr for the CLI: data on stdout, reasons on stderr. */
export function printJson(value: unknown): void {
  const json = JSON.stringify(value, null, 2);
  // JSON escapes C0 controls but not C1 ones (U+009B is CSI to some terminals): escape those on a TTY too.
  process.stdout.write((process.stdout.isTTY ? json.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json) + '\n');
}

/** Text for people: on a terminal, stored control characters are shown escaped, never acted on. */
export function printText(text: string): void {
  const shown = process.stdout.isTTY ? terminalSafe(text) : text;
  process.stdout.write(shown.endsWith('\n') ? shown : shown + '\n');
}

/** One line on stderr and the exit status of the error's code. */
export function fail(err: unknown): never {
  const e = toMeshError(err);
  console.error(`mesh: ${process.stderr.isTTY ? terminalSafe(e.message) : e.message}`);
  process.exit(exitCodeFor(e.code));
}
