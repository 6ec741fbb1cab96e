import { exitCodeFor, toMeshError, type MeshError } from '../errors.js';
import { terminalSafe } from './terminalSafe.js';

/** The only module that writes to stdout/stderr for the CLI: data on stdout, reasons and hints on stderr. */
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

/**
 * Advice for a person (what to do next, a legend): stderr, so stdout stays data that a script can
 * capture (`mesh join "$(mesh invite)"`).
 */
export function printHint(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/**
 * The CLI's words for the daemon API's parameter names, by command: an error written for a model
 * ("pass force: true", "limit: too big") reads as the flag a person types ("--force", "--limit").
 */
export type CliTerms = Readonly<Record<string, string>>;

/** An error message in CLI terms: `param: true` becomes the flag, `param: reason` names the flag. */
export function inCliTerms(e: MeshError, terms: CliTerms = {}): string {
  const issues = (e.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
  // A schema error is rebuilt from its structured issues, so each field reads as its flag.
  if (e.code === 'INVALID_INPUT' && Array.isArray(issues) && issues.length) {
    return issues.map((i) => (i.path ? `${terms[i.path] ?? i.path}: ${i.message}` : i.message)).join('; ');
  }
  let message = e.message;
  for (const [param, flag] of Object.entries(terms)) message = message.replaceAll(`${param}: true`, flag);
  return message;
}

/** One line on stderr and the exit status of the error's code. */
export function fail(err: unknown, terms?: CliTerms): never {
  const e = toMeshError(err);
  const line = inCliTerms(e, terms).replace(/\s*\n\s*/g, ' ');
  console.error(`mesh: ${process.stderr.isTTY ? terminalSafe(line) : line}`);
  process.exit(exitCodeFor(e.code));
}

/** "error: unknown command 'x'\n(Did you mean y?)" → "mesh: unknown command 'x' (Did you mean y?); see mesh --help". */
export function commanderErrorLine(text: string): string {
  const reason = text.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ');
  return `mesh: ${reason}; see mesh --help`;
}
