import { exitCodeFor, toMeshError } from '../errors.js';

/** The only module that writes to stdout/stderr for the CLI: data on stdout, reasons on stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** One line on stderr and the exit status of the error's code. */
export function fail(err: unknown): never {
  const e = toMeshError(err);
  console.error(`mesh: ${e.message}`);
  process.exit(exitCodeFor(e.code));
}
