import { describe, expect, it } from 'vitest';
import { ftsMatchWords } from '../../../src/search/ftsQuery.js';
import { queryWordsOf } from '../../../src/search/tokenize.js';

describe('query words', () => {
  it('keep a code-like word together: whole, or all of its parts', () => {
    expect(queryWordsOf('svc-17 restarted')).toEqual([
      { whole: 'svc-17', parts: ['svc', '17'] },
      { whole: 'restarted', parts: [] },
    ]);
    expect(ftsMatchWords(queryWordsOf('svc-17 restarted'))).toBe('("svc-17" OR ("svc" AND "17")) OR "restarted"*');
    expect(ftsMatchWords(queryWordsOf('a "quoted"'), () => false)).toBe('"a" OR "quoted"');
    expect(ftsMatchWords([])).toBeUndefined();
  });
});
