import { tokenize } from './tokenize.js';

/** Text as stored in the FTS5 table: our tokens, space-separated, so FTS5 sees exactly them. */
export function ftsText(text: string): string {
  return tokenize(text).join(' ');
}

/**
 * An FTS5 MATCH expression for a free-text query: every token OR'ed, each quoted (so `-`, `:`
 * and friends are literal), with prefix matching on tokens long enough to be word stems.
 * Returns undefined when the query has no searchable token.
 */
export function ftsMatch(query: string): string | undefined {
  const tokens = [...new Set(tokenize(query))];
  if (tokens.length === 0) return undefined;
  return tokens.map((t) => `"${t.replace(/"/g, '""')}"${t.length >= 4 ? '*' : ''}`).join(' OR ');
}
