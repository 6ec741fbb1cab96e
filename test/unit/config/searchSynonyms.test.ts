import { describe, expect, it } from 'vitest';
import { defaultSynonymGroups } from '../../../src/config/searchSynonyms.js';
import { thesaurusWords } from '../../../src/search/Thesaurus.js';

describe('the bundled search thesaurus (config/search-synonyms.json)', () => {
  it('parses, and every group holds distinct lower-case terms made of words', () => {
    const groups = defaultSynonymGroups();
    expect(groups.length).toBeGreaterThan(100);
    for (const g of groups) {
      expect(new Set(g).size, g.join(', ')).toBe(g.length);
      for (const term of g) {
        expect(term, g.join(', ')).toBe(term.toLowerCase());
        expect(thesaurusWords(term).length, term).toBeGreaterThan(0);
      }
    }
  });

  it('keeps each term in at most three groups, so one word cannot drag in half the thesaurus', () => {
    const count = new Map<string, number>();
    for (const g of defaultSynonymGroups()) for (const t of g) count.set(t, (count.get(t) ?? 0) + 1);
    expect([...count].filter(([, n]) => n > 3)).toEqual([]);
  });
});
