/**
 * True for SQLite's "this file is damaged" errors (SQLITE_CORRUPT and its extended codes such as
 * SQLITE_CORRUPT_VTAB from FTS5, SQLITE_NOTADB for a file that is no database at all). Our SQLite
 * files are derived, so these mean "rebuild", never "stop".
 */
export function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}
