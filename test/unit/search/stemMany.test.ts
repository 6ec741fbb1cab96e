import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSynonymGroups } from '../../../src/config/searchSynonyms.js';
import { Thesaurus, thesaurusWords } from '../../../src/search/Thesaurus.js';
import { openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/**
 * The thesaurus stems its words in one probe of the keyword index's tokenizer (issue 11, third
 * session); it must stem exactly as the word-by-word probe does, or expansion would match other
 * word forms than the index holds.
 */
describe('stemming many words at once', () => {
  let stack: Awaited<ReturnType<typeof openStack>>;
  let home: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    home = tmpHome();
    stack = await openStack(home.dir);
  });
  afterAll(async () => {
    await stack.close();
    home.cleanup();
  });

  it('gives each word of the bundled thesaurus the stem the one-word probe gives it, in order, repeats included', () => {
    const words = defaultSynonymGroups().flatMap((group) => group.flatMap((term) => thesaurusWords(term)));
    const many = stack.index.stemMany(words);
    expect(many).toHaveLength(words.length);
    const differ = words.filter((w, i) => many[i] !== stack.index.stem(w));
    expect(differ, 'words stemmed differently in one probe').toEqual([]);
    expect(stack.index.stemMany(['brokers', 'running', 'brokers'])).toEqual(['broker', 'run', 'broker']);
  });

  it('expands a query the same way with the batch stemmer as word by word', () => {
    const groups = defaultSynonymGroups();
    const batch = new Thesaurus(groups, (w) => stack.index.stem(w), (ws) => stack.index.stemMany(ws));
    const single = new Thesaurus(groups, (w) => stack.index.stem(w));
    for (const q of ['message brokers lagging', 'pg-primary-20 replication lag', 'crash loop on the k8s nodes', 'OOMKilled pods']) {
      expect(batch.expand(q), q).toEqual(single.expand(q));
    }
  });
});
