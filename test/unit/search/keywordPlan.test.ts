import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Memory } from '../../../src/domain/Memory.js';
import type { MemoryId } from '../../../src/types.js';
import type { CommitEvent } from '../../../src/store/types.js';
import { openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

const idOf = (n: number) => `m-${String(n).padStart(5, '0')}`;

/** A memory view as the index sees it (the index is fed views; the store is not needed here). */
function memory(n: number, content: string): Memory {
  const at = new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString();
  return {
    id: idOf(n) as MemoryId,
    content,
    category: 'incidents',
    tags: [],
    context: '',
    project: '',
    scope: 'mesh',
    metadata: {},
    machine: 'test-host',
    agent: 'test-agent',
    created_at: at,
    updated_at: at,
    updated_by: 'test-agent',
    deleted: false,
    deleted_at: null,
    deleted_reason: null,
    format_version: 1,
  };
}

// Above the planner's thresholds (a term in > 20% of memories and 5,000+ is "very common").
const N = 6_000;

/** A write of a memory as the store announces it once durable. */
function commit(view: Memory, seq: number): CommitEvent {
  return { seq, collection: 'memories', id: view.id, scope: 'mesh', heads: [], view };
}

describe('keyword query plan on a large index', () => {
  const home = tmpHome();
  let stack: Awaited<ReturnType<typeof openStack>>;

  beforeAll(async () => {
    stack = await openStack(home.dir);
    stack.index.applyCommits(Array.from({ length: N }, (_, i) => commit(memory(i, `web${i % 50} restarted the worker pool`), i + 1)));
    stack.index.applyCommits([commit(memory(N, 'zebra crossing restarted'), N + 1)]);
  });
  afterAll(async () => {
    await stack.close();
    home.cleanup();
  });

  it('drops a very common word by the term FTS5 stored (its stem), whatever form the query uses', () => {
    // "restarting" and "restarted" are both stored as "restart", in every memory: only "zebra" decides.
    for (const q of ['zebra restarted', 'zebra restarting', 'restarts zebra']) {
      expect(stack.index.keywordSearch(q, {}, 10).map((h) => h.id)).toEqual([idOf(N)]);
    }
  });

  it('keeps the rarest term when every term is common, and sees writes at once', () => {
    expect(stack.index.keywordSearch('restarted', {}, 5)).toHaveLength(5);
    // The common word is dropped while a rarer one remains, even one no memory has yet.
    expect(stack.index.keywordSearch('okapi restarted', {}, 10)).toEqual([]);
    stack.index.applyCommits([commit(memory(N + 1, 'okapi sighted'), N + 2)]);
    expect(stack.index.keywordSearch('okapi restarted', {}, 10).map((h) => h.id)).toEqual([idOf(N + 1)]);
  });
});
