import { tokenize, type QueryWord } from './tokenize.js';

/** Text as stored in the FTS5 table: our tokens, space-separated, so FTS5 sees exactly them. */
export function ftsText(text: string): string {
  return tokenize(text).join(' ');
}

/** The distinct search tokens of a query. */
export function queryTokens(query: string): string[] {
  return [...new Set(tokenize(query))];
}

/** Prefix matching only for word-like tokens long enough to be stems ("restart" → "restarted"). */
const PREFIX_MIN_CHARS = 4;

/**
 * An FTS5 MATCH expression: every token OR'ed, each quoted (so `-`, `:` and friends are literal),
 * word-like tokens of 4+ letters also matching as prefixes. Undefined when no token is left.
 */
export function ftsMatch(tokens: readonly string[], prefix: (token: string) => boolean = () => true): string | undefined {
  if (tokens.length === 0) return undefined;
  return tokens.map((t) => `"${t.replace(/"/g, '""')}"${prefix(t) && t.length >= PREFIX_MIN_CHARS && /^\p{L}+$/u.test(t) ? '*' : ''}`).join(' OR ');
}

const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;

/**
 * An FTS5 MATCH expression over query words: any word may match (OR), and a code-like word
 * matches whole or with all its parts (`svc-17` → `"svc-17" OR ("svc" AND "17")`), so every hit holds at least one
 * whole query word. Word-like words of 4+ letters also match as prefixes ("restart" → "restarted").
 */
export function ftsMatchWords(words: readonly QueryWord[], prefix: (word: string) => boolean = () => true): string | undefined {
  if (words.length === 0) return undefined;
  return words
    .map((w) => {
      if (w.parts.length > 1) return `(${quote(w.whole)} OR (${w.parts.map(quote).join(' AND ')}))`;
      return `${quote(w.whole)}${prefix(w.whole) && w.whole.length >= PREFIX_MIN_CHARS && /^\p{L}+$/u.test(w.whole) ? '*' : ''}`;
    })
    .join(' OR ');
}
