import { describe, expect, it } from 'vitest';
import { Thesaurus, thesaurusWords } from '../../../src/search/Thesaurus.js';

// A crude stemmer is enough to show that matching goes through the injected one.
const stem = (w: string) => w.replace(/(es|s)$/, '');

const GROUPS = [
  ['kafka', 'message broker', 'message bus', 'rabbitmq'],
  ['replica', 'read replica', 'standby', 'read copy'],
  ['refund', 'money-back', 'chargeback'],
];

describe('Thesaurus', () => {
  it('finds a phrase of the query and adds the other terms of its group, as word lists', () => {
    const t = new Thesaurus(GROUPS, stem);
    const e = t.expand('why is the Message Bus dropping events');
    expect(e.matched).toEqual(['message bus']);
    expect(e.added).toEqual([['kafka'], ['message', 'broker'], ['rabbitmq']]);
  });

  it('matches word forms through the stemmer and words split at punctuation', () => {
    const t = new Thesaurus(GROUPS, stem);
    expect(t.expand('two standbys lagging').added).toEqual([['replica'], ['read', 'replica'], ['read', 'copy']]);
    expect(t.expand('money back failed').matched).toEqual(['money-back']);
    expect(thesaurusWords('CI/CD money-back k8s')).toEqual(['ci', 'cd', 'money', 'back', 'k8s']);
  });

  it('adds nothing for a query without thesaurus terms, or whose equivalents it already holds', () => {
    const t = new Thesaurus(GROUPS, stem);
    expect(t.expand('nginx 502 after reload')).toEqual({ matched: [], added: [] });
    // "read replica" and "replica" are all present already; only the other terms are added.
    expect(t.expand('read replica').added).toEqual([['standby'], ['read', 'copy']]);
  });

  it('merges every group a term belongs to, and drops groups of fewer than two terms', () => {
    const t = new Thesaurus([['pg', 'postgres'], ['postgres', 'postgresql', 'psql'], ['lonely']], stem);
    expect(t.size).toBe(2);
    expect(t.expand('postgres vacuum').added).toEqual([['pg'], ['postgresql'], ['psql']]);
    expect(t.expand('lonely').added).toEqual([]);
  });

  it('prefers the longest term: a word inside a longer matched term brings no group of its own', () => {
    const t = new Thesaurus([['crash loop', 'crashloopbackoff'], ['crash', 'segfault'], ['hourly', 'every hour'], ['quarter hourly', 'every 15 minutes']], stem);
    expect(t.expand('pod in a crash loop').added).toEqual([['crashloopbackoff']]);
    expect(t.expand('quarter-hourly job').added).toEqual([['every', '15', 'minutes']]);
    // Overlapping but not covered: both count.
    expect(t.expand('crash every hour').added).toEqual([['segfault'], ['hourly']]);
  });
});
