import { MAX_REPLY_BYTES, TRUNCATED_CONTENT_CHARS } from '../constants.js';

/** A listing that kept its byte budget, saying what it cut. */
export interface BoundedList<T> {
  results: T[];
  /** Present when results were cut to fit: their content shortened (`content_truncated`), or the last ones left out. */
  truncated?: true;
  /** How many results were left out entirely (after shortening could not make them fit). */
  omitted?: number;
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * Keeps a listing within `budget` bytes of JSON, so a legal request (50 results of maximal
 * memories) is answered rather than failing on the frame limit: results that fit go whole, the
 * next ones with their content cut to a snippet and `content_truncated: true`, and if even those
 * do not fit, the rest are left out and counted. Order is kept: the best results stay whole.
 */
export function fitToBudget<T extends { content: string }>(items: readonly T[], budget = MAX_REPLY_BYTES): BoundedList<T | (T & { content_truncated: true })> {
  return fitTextsToBudget(items, 'content', budget);
}

/** fitToBudget for listings whose long text is another field (a task's `description`): it is cut, and `<field>_truncated` set. */
export function fitTextsToBudget<T extends Record<K, string>, K extends string>(items: readonly T[], field: K, budget = MAX_REPLY_BYTES): BoundedList<T | (T & { content_truncated: true })> {
  const shorts = items.map((item) => ({ ...item, [field]: snippet(item[field]), [`${field}_truncated`]: true }) as T & { content_truncated: true });
  const shortSizes = shorts.map(jsonBytes);
  // Room kept for every later result at its short size, so the first ones going whole never crowd the last ones out.
  const after = new Array<number>(items.length + 1).fill(0);
  for (let i = items.length - 1; i >= 0; i--) after[i] = after[i + 1]! + shortSizes[i]!;
  const results: (T | (T & { content_truncated: true }))[] = [];
  let used = 0;
  let cut = false;
  for (const [i, item] of items.entries()) {
    const long = item[field].length > TRUNCATED_CONTENT_CHARS;
    const size = long ? jsonBytes(item) : shortSizes[i]!;
    if (used + size + after[i + 1]! <= budget || (!long && used + size <= budget)) {
      results.push(item);
      used += size;
      continue;
    }
    cut = true;
    if (used + shortSizes[i]! > budget) return { results, truncated: true, omitted: items.length - i };
    results.push(shorts[i]!);
    used += shortSizes[i]!;
  }
  return cut ? { results, truncated: true } : { results };
}

/** The longest prefix of `items` within `budget` bytes (at least one item, which alone always fits a frame): a page of an export. */
export function pageByBytes<T>(items: readonly T[], budget = MAX_REPLY_BYTES): T[] {
  let used = 0;
  for (const [i, item] of items.entries()) {
    used += jsonBytes(item);
    if (used > budget && i > 0) return items.slice(0, i);
  }
  return [...items];
}

/** The first characters of a text, never ending on half of a surrogate pair. */
function snippet(text: string): string {
  const cut = text.slice(0, TRUNCATED_CONTENT_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
