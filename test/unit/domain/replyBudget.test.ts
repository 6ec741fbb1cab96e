import { describe, expect, it } from 'vitest';
import { TRUNCATED_CONTENT_CHARS } from '../../../src/constants.js';
import { hasLoneSurrogate } from '../../../src/domain/inputShape.js';
import { fitToBudget, jsonBytes, pageByBytes } from '../../../src/domain/replyBudget.js';

const item = (i: number, chars: number) => ({ id: `m${i}`, content: `${i} ${'é'.repeat(chars)}` });

describe('reply byte budget', () => {
  it('keeps every result when the whole list fits, without flags', () => {
    const items = Array.from({ length: 5 }, (_, i) => item(i, 100));
    expect(fitToBudget(items, 10_000)).toEqual({ results: items });
  });

  it('keeps the best results whole and cuts the later ones, leaving room so none is left out', () => {
    const items = Array.from({ length: 50 }, (_, i) => item(i, 65_000));
    const budget = 4 * 1024 * 1024;
    const fitted = fitToBudget(items, budget);
    expect(fitted.results).toHaveLength(50);
    expect(fitted.truncated).toBe(true);
    expect(fitted.omitted).toBeUndefined();
    expect(jsonBytes(fitted.results)).toBeLessThanOrEqual(budget);
    const whole = fitted.results.findIndex((r) => 'content_truncated' in r);
    expect(whole).toBeGreaterThan(10);
    // Whole ones first (best ranked), then cut ones to the end.
    expect(fitted.results.slice(whole).every((r) => 'content_truncated' in r && r.content.length === TRUNCATED_CONTENT_CHARS)).toBe(true);
  });

  it('leaves out (and counts) the tail only when even cut results do not fit', () => {
    const items = Array.from({ length: 100 }, (_, i) => item(i, 5_000));
    const fitted = fitToBudget(items, 50_000);
    expect(fitted.truncated).toBe(true);
    expect(fitted.results.length + fitted.omitted!).toBe(100);
    expect(jsonBytes(fitted.results)).toBeLessThanOrEqual(50_000);
  });

  it('never cuts a surrogate pair in half', () => {
    const text = 'a'.repeat(TRUNCATED_CONTENT_CHARS - 1) + '🐝'.repeat(10_000);
    const [short] = fitToBudget([{ id: 'x', content: text }], 2_000).results;
    expect(hasLoneSurrogate(short!.content)).toBe(false);
  });

  it('pages an export by bytes, at least one memory a page', () => {
    const items = Array.from({ length: 10 }, (_, i) => item(i, 1_000));
    expect(pageByBytes(items, 5_000)).toHaveLength(2);
    expect(pageByBytes(items, 10)).toHaveLength(1);
  });
});
