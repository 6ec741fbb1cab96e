/**
 * Query expansion from groups of equivalent terms ("kafka", "message broker", "message bus"):
 * when a query contains one term of a group, the others are what the team's notes may say
 * instead. Matching is by word sequence after stemming, so "message brokers" finds the group of
 * "message broker". Pure apart from the injected stemmer, which is the keyword index's own, so
 * the thesaurus and the index agree on word forms.
 */
export interface Expansion {
  /** Thesaurus terms found in the query, as written in the thesaurus. */
  matched: string[];
  /** The other terms of their groups, as word lists (a phrase is several words), none already in the query. */
  added: string[][];
}

interface Entry {
  /** Stemmed words of the term. */
  stems: string[];
  groups: number[];
}

/** A term of a group, split and stemmed once. */
interface Term {
  term: string;
  words: string[];
  /** The stemmed words joined by a space: what matching compares. */
  key: string;
}

interface Compiled {
  /** First stemmed word → the entries starting with it. */
  byFirst: Map<string, Entry[]>;
  /** Each group's terms, in file order. */
  groups: Term[][];
}

/** Words of a text for matching: letters and digits only, lower case ("money-back" → money, back). */
export function thesaurusWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 0);
}

export class Thesaurus {
  private compiled: Compiled | undefined;
  private readonly groups: string[][];

  constructor(
    groups: readonly (readonly string[])[],
    private readonly stem: (word: string) => string,
    /** The same stemmer over many words at once (the keyword index probes them in one go); word by word when absent. */
    private readonly stemMany: (words: readonly string[]) => string[] = (words) => words.map(stem),
  ) {
    this.groups = groups.map((g) => [...new Set(g.map((t) => t.trim().toLowerCase()).filter((t) => thesaurusWords(t).length > 0))]).filter((g) => g.length > 1);
  }

  get size(): number {
    return this.groups.length;
  }

  /** The other terms of every group a term of the query belongs to. */
  expand(query: string): Expansion {
    const words = thesaurusWords(query).map((w) => this.stem(w));
    const { byFirst: index, groups } = this.compile();
    // Every term occurrence, longest first: a term inside a longer matched one ("crash" in "crash
    // loop") is the longer term's word, not a concept of its own, and adds nothing.
    const found: { at: number; entry: Entry }[] = [];
    for (let i = 0; i < words.length; i++) {
      for (const entry of index.get(words[i]!) ?? []) if (entry.stems.every((s, k) => words[i + k] === s)) found.push({ at: i, entry });
    }
    found.sort((a, b) => b.entry.stems.length - a.entry.stems.length || a.at - b.at);
    const covered = new Array<boolean>(words.length).fill(false);
    const hitGroups = new Set<number>();
    const matched = new Set<string>();
    for (const { at, entry } of found) {
      const span = entry.stems.map((_, k) => at + k);
      if (span.every((p) => covered[p])) continue;
      for (const p of span) covered[p] = true;
      for (const g of entry.groups) hitGroups.add(g);
      matched.add(entry.stems.join(' '));
    }
    const present = new Set(words);
    const added: string[][] = [];
    const seen = new Set<string>();
    const matchedTerms: string[] = [];
    for (const g of [...hitGroups].sort((a, b) => a - b)) {
      for (const { term, words: termWords, key } of groups[g]!) {
        if (matched.has(key)) {
          if (!matchedTerms.includes(term)) matchedTerms.push(term);
          continue;
        }
        // A term whose every word is already in the query adds nothing a keyword search lacks.
        if (seen.has(key) || key.split(' ').every((s) => present.has(s))) continue;
        seen.add(key);
        added.push(termWords);
      }
    }
    return { matched: matchedTerms, added };
  }

  /** Stems every term once, on first use (the stemmer may be a database lookup). */
  private compile(): Compiled {
    if (this.compiled) return this.compiled;
    const allWords = [...new Set(this.groups.flatMap((group) => group.flatMap((term) => thesaurusWords(term))))];
    const stemOf = new Map(this.stemMany(allWords).map((stem, i) => [allWords[i]!, stem]));
    const groups = this.groups.map((group) =>
      group.map((term) => {
        const words = thesaurusWords(term);
        return { term, words, key: words.map((w) => stemOf.get(w) ?? this.stem(w)).join(' ') };
      }),
    );
    const byKey = new Map<string, Entry>();
    groups.forEach((group, g) => {
      for (const { key } of group) {
        const entry = byKey.get(key) ?? { stems: key.split(' '), groups: [] };
        if (!entry.groups.includes(g)) entry.groups.push(g);
        byKey.set(key, entry);
      }
    });
    const byFirst = new Map<string, Entry[]>();
    for (const entry of byKey.values()) {
      const list = byFirst.get(entry.stems[0]!) ?? [];
      list.push(entry);
      byFirst.set(entry.stems[0]!, list);
    }
    this.compiled = { byFirst, groups };
    return this.compiled;
  }
}
