import type { SecretFinding } from './SecretDetector.js';

/**
 * Tokens that look random enough to be credentials without a known format (a generated API key,
 * a session secret): long runs of base64/url-safe characters mixing upper case, lower case and
 * digits, whose characters carry close to the entropy of random text. Hex strings (commit and
 * content hashes) and UUIDs, which engineering notes are full of, are never flagged: they use one
 * case, and a hash in a memory is an identifier, not a credential.
 */
const TOKEN = /[A-Za-z0-9+/_=-]{32,}/g;
/** Shannon entropy per character above which a mixed-case token reads as random (camelCase prose stays below ~4.2). */
const MIN_BITS_PER_CHAR = 4.4;
const MIN_LENGTH = 32;
/** A word in one case or capitalised, or a number: what settings and flags are made of. */
const LEXICAL_PIECE = /^(?:[a-z]*|[A-Z]+|[A-Z][a-z]+|[0-9]+)$/;

export function findHighEntropyTokens(text: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0].replace(/=+$/, '');
    if (token.length < MIN_LENGTH || m.index === undefined) continue;
    if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) continue;
    // A path or a dashed name is words, not a key: many separators and long alphabetic runs.
    if ((token.match(/[/_-]/g)?.length ?? 0) > token.length / 6) continue;
    // Words and numbers joined by separators (`NODE_OPTIONS=--max-old-space-size=4096`) are a
    // setting, not a key: a random token's pieces mix cases and digits within themselves.
    if (token.split(/[+/_=-]+/).every((piece) => LEXICAL_PIECE.test(piece))) continue;
    if (bitsPerChar(token) < MIN_BITS_PER_CHAR) continue;
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'high-entropy token' });
  }
  return out;
}

function bitsPerChar(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
