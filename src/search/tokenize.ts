/**
 * Tokeniser for technical text. Code-like tokens are kept whole *and* split into parts, so
 * `ERR_CONN_REFUSED`, `CVE-2024-1234`, `elastic3.prod:9200` and `/var/log/nginx` match both as
 * written and by their pieces ("conn", "9200", "nginx").
 */
const WHOLE_TOKEN = /[\p{L}\p{N}_][\p{L}\p{N}_.:/\\@#-]*[\p{L}\p{N}_]|[\p{L}\p{N}_]/gu;
const PART_SPLIT = /[_.:/\\@#-]+/u;
// Letters then digits inside a word ("elastic3" -> "elastic", "3"), so a bare host family matches.
const ALPHA_NUM = /^(\p{L}+)(\p{N}+)$/u;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(WHOLE_TOKEN)) {
    const whole = match[0].toLowerCase();
    out.push(whole);
    const parts = whole.split(PART_SPLIT).filter((p) => p.length > 0);
    if (parts.length > 1) out.push(...parts);
    for (const part of parts) {
      const split = ALPHA_NUM.exec(part);
      if (split?.[1] && split[1].length > 1) out.push(split[1]);
    }
  }
  return out;
}

/** One word of a query as typed: the whole token and, for a code-like token, the parts it splits into. */
export interface QueryWord {
  whole: string;
  parts: string[];
}

/**
 * A query's words. Unlike `tokenize` (which indexes every piece, so a memory is found by any of
 * them), a query word keeps its pieces together: `svc-17` is evidence only where both `svc` and
 * `17` are, not in every memory that mentions some `svc-NN`.
 */
export function queryWordsOf(text: string): QueryWord[] {
  const words = new Map<string, QueryWord>();
  for (const match of text.matchAll(WHOLE_TOKEN)) {
    const whole = match[0].toLowerCase();
    const parts = [...new Set(whole.split(PART_SPLIT).filter((p) => p.length > 0))];
    words.set(whole, { whole, parts: parts.length > 1 ? parts : [] });
  }
  return [...words.values()];
}
