import { InvalidInputError } from '../errors.js';

/** A playbook refused at a position (1-based line and column, as the parsers report them). */
export function refuseAt(message: string, line: number, column: number, extra: Record<string, unknown> = {}): never {
  throw new InvalidInputError(`${message} (line ${line}, column ${column})`, { line, column, ...extra });
}
