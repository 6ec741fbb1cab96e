import * as A from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { toMemory, type MemoryDoc } from '../../../src/domain/Memory.js';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

describe('MemoryService', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openStack>>;
  let clock = Date.parse('2026-11-01T00:00:00Z');
  const now = () => clock;

  beforeEach(async () => {
    home = tmpHome();
    clock = Date.parse('2026-11-01T00:00:00Z');
    stack = await openStack(home.dir, { now, custom: ['decisions'] });
  });
  afterEach(async () => {
    await stack.close();
    home.cleanup();
  });

  it('stores a memory with provenance, timestamps and format version', async () => {
    const m = await stack.memories.store({ content: 'pg-primary-2 lag 30s', category: 'incidents', tags: ['pg', 'pg'], project: 'payments' }, ACTOR);
    expect(m).toMatchObject({
      content: 'pg-primary-2 lag 30s',
      category: 'incidents',
      tags: ['pg'],
      project: 'payments',
      scope: 'mesh',
      machine: 'test-host',
      agent: 'test-agent',
      created_at: '2026-11-01T00:00:00.000Z',
      deleted: false,
      format_version: 1,
    });
    expect(await stack.memories.retrieve(m.id)).toEqual(m);
  });

  it('rejects unknown categories with the list of valid ones, and accepts configured custom ones', async () => {
    await expect(stack.memories.store({ content: 'x', category: 'gossip' }, ACTOR)).rejects.toMatchObject({
      code: 'UNKNOWN_CATEGORY',
      message: expect.stringContaining('runbooks') as unknown,
    });
    await expect(stack.memories.store({ content: 'x', category: 'decisions' }, ACTOR)).resolves.toMatchObject({ category: 'decisions' });
  });

  it('updates only the given fields and records who changed what in the history', async () => {
    const m = await stack.memories.store({ content: 'first', metadata: { a: 1, b: 2 } }, ACTOR);
    clock += 60_000;
    const u = await stack.memories.update({ memory_id: m.id, content: 'second', metadata: { a: null, c: 3 } }, { machine: 'other', agent: 'agent-2' });
    expect(u).toMatchObject({ content: 'second', metadata: { b: 2, c: 3 }, updated_by: 'agent-2', created_at: m.created_at });
    expect(u.updated_at).toBe('2026-11-01T00:01:00.000Z');
    const h = await stack.memories.history(m.id);
    expect(h.map((e) => [e.action, e.agent, e.machine])).toEqual([
      ['create', 'test-agent', 'test-host'],
      ['update', 'agent-2', 'other'],
    ]);
    expect(h[1]?.fields).toEqual(expect.arrayContaining(['content', 'metadata', 'updated_at']));
    await expect(stack.memories.update({ memory_id: m.id }, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('unknown ids give NOT_FOUND', async () => {
    await expect(stack.memories.retrieve('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stack.memories.update({ memory_id: 'nope', content: 'x' }, ACTOR)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stack.memories.delete({ memory_id: 'nope' }, ACTOR)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('soft delete hides from search and lists, recover brings it back', async () => {
    const m = await stack.memories.store({ content: 'kafka-broker-7 disk full' }, ACTOR);
    const del = await stack.memories.delete({ memory_id: m.id, reason: 'obsolete' }, ACTOR);
    expect(del.recoverable_until).toBe('2026-12-01T00:00:00.000Z');
    expect((await stack.memories.search({ query: 'kafka' })).results).toEqual([]);
    expect((await stack.memories.search({ query: 'kafka', include_deleted: true })).results).toHaveLength(1);
    expect((await stack.memories.listDeleted()).map((x) => x.id)).toEqual([m.id]);
    expect(stack.memories.stats()).toMatchObject({ total: 0, deleted: 1 });
    await expect(stack.memories.update({ memory_id: m.id, content: 'y' }, ACTOR)).rejects.toMatchObject({ code: 'ALREADY_DELETED' });
    await stack.memories.recover(m.id, ACTOR);
    expect((await stack.memories.search({ query: 'kafka' })).results.map((r) => r.id)).toEqual([m.id]);
    await expect(stack.memories.recover(m.id, ACTOR)).rejects.toMatchObject({ code: 'NOT_DELETED' });
  });

  it('erases soft-deleted memories once retention expires', async () => {
    const keep = await stack.memories.store({ content: 'keep me' }, ACTOR);
    const old = await stack.memories.store({ content: 'old news' }, ACTOR);
    await stack.memories.delete({ memory_id: old.id }, ACTOR);
    clock += 29 * 86_400_000;
    expect(await stack.memories.purgeExpired(ACTOR)).toBe(0);
    clock += 2 * 86_400_000;
    expect(await stack.memories.purgeExpired(ACTOR)).toBe(1);
    await expect(stack.memories.retrieve(old.id)).rejects.toMatchObject({ code: 'ERASED' });
    await expect(stack.memories.recover(old.id, ACTOR)).rejects.toMatchObject({ code: 'ERASED' });
    expect((await stack.memories.retrieve(keep.id)).content).toBe('keep me');
  });

  it('filters search and listings by category, project, machine, tags and time', async () => {
    await stack.memories.store({ content: 'nginx upstream timeout on proxy-eu1', category: 'incidents', project: 'web', tags: ['nginx', 'eu'] }, ACTOR);
    clock += 3_600_000;
    await stack.memories.store({ content: 'nginx reload runbook', category: 'runbooks', project: 'web', tags: ['nginx'] }, { machine: 'm2', agent: 'a2' });
    const s = (q: Parameters<typeof stack.memories.search>[0]) => stack.memories.search(q).then((r) => r.results.map((x) => x.category));
    expect(await s({ query: 'nginx' })).toHaveLength(2);
    expect(await s({ query: 'nginx', category: 'runbooks' })).toEqual(['runbooks']);
    expect(await s({ query: 'nginx', machine: 'm2' })).toEqual(['runbooks']);
    expect(await s({ query: 'nginx', tags: ['nginx', 'eu'] })).toEqual(['incidents']);
    expect(await s({ query: 'nginx', since: '2026-11-01T00:30:00Z' })).toEqual(['runbooks']);
    expect(await s({ query: 'nginx', project: 'nope' })).toEqual([]);
    expect((await stack.memories.recent({ hours: 0.5 })).map((m) => m.category)).toEqual(['runbooks']);
    expect(stack.memories.sources().machines.map((m) => m.name).sort()).toEqual(['m2', 'test-host']);
    expect((await stack.memories.machineContext('m2')).total).toBe(1);
  });

  it('finds code-like tokens by keyword', async () => {
    const m = await stack.memories.store({ content: 'elastic3 returned ERR_CONN_REFUSED on :9200 after CVE-2024-3094 fix' }, ACTOR);
    await stack.memories.store({ content: 'elastic4 heap is fine' }, ACTOR);
    for (const q of ['ERR_CONN_REFUSED', 'CVE-2024-3094', '9200', 'elastic3']) {
      expect((await stack.memories.search({ query: q, mode: 'keyword' })).results[0]?.id).toBe(m.id);
    }
  });

  it('finds other forms of a word by keyword (stemming), and keeps code-like tokens exact', async () => {
    const m = await stack.memories.store({ content: 'pg-replica-2 kept cancelling long reporting queries during VACUUM_FULL' }, ACTOR);
    await stack.memories.store({ content: 'pg-replica-3 is healthy' }, ACTOR);
    for (const q of ['reports', 'cancelled queries', 'query', 'VACUUM_FULL']) {
      expect((await stack.memories.search({ query: q, mode: 'keyword' })).results.map((r) => r.id)).toEqual([m.id]);
    }
    // Both hosts share the parts "pg" and "replica"; the whole token decides the order.
    expect((await stack.memories.search({ query: 'pg-replica-2', mode: 'keyword' })).results[0]?.id).toBe(m.id);
    expect((await stack.memories.search({ query: 'pg-replica-3', mode: 'keyword' })).results[0]?.id).not.toBe(m.id);
  });

  it('hybrid search also finds the thesaurus equivalents of the query, keyword mode stays literal', async () => {
    await stack.close();
    stack = await openStack(home.dir, { now, synonyms: [['kafka', 'message broker', 'message bus'], ['replica', 'read copy']] });
    const kafka = await stack.memories.store({ content: 'kafka-2 lost ISR for 12 partitions after a long GC pause' }, ACTOR);
    const replica = await stack.memories.store({ content: 'pg replicas cancel long reporting queries' }, ACTOR);
    await stack.memories.store({ content: 'the office bus schedule changed' }, ACTOR);
    const hybrid = await stack.memories.search({ query: 'message brokers losing partitions' });
    expect(hybrid.results[0]?.id).toBe(kafka.id);
    expect(hybrid.expanded).toEqual(['kafka', 'message bus']);
    expect((await stack.memories.search({ query: 'reports killed on the read copy' })).results.map((r) => r.id)).toContain(replica.id);
    const literal = await stack.memories.search({ query: 'message brokers', mode: 'keyword' });
    expect(literal.results).toEqual([]);
    expect(literal.expanded).toBeUndefined();
  });

  it('indexes are derived: deleting them and reopening gives the same answers', async () => {
    for (let i = 0; i < 30; i++) await stack.memories.store({ content: `host web${i} ${i % 3 === 0 ? 'timeout' : 'healthy'}`, category: i % 2 ? 'incidents' : 'monitoring' }, ACTOR);
    const before = await stack.memories.search({ query: 'timeout', limit: 50 });
    const stats = stack.memories.stats();
    await stack.close();
    await stack.index.deleteFiles();
    stack = await openStack(home.dir, { now });
    expect(stack.opened.rebuilt).toBe(true);
    expect(await stack.memories.search({ query: 'timeout', limit: 50 })).toEqual(before);
    expect(stack.memories.stats()).toEqual(stats);
  });

  it('keyword scores after edits and deletions equal those of a rebuilt index', async () => {
    // BM25 depends on the memory count; an index that counted every rewrite of a row (as a
    // contentless FTS5 table does) scores differently from one rebuilt from the documents.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await stack.memories.store({ content: `host web${i} ${i % 2 ? 'timeout' : 'healthy'} gateway` }, ACTOR)).id);
    for (let k = 0; k < 3; k++) await stack.memories.update({ memory_id: ids[0]!, content: `host web0 healthy gateway, check ${k}` }, ACTOR);
    await stack.memories.erase(ids[5]!, ACTOR);
    const scores = async () => (await stack.memories.search({ query: 'timeout gateway', mode: 'keyword', limit: 10 })).results.map((r) => [r.id, r.score]);
    const before = await scores();
    await stack.index.rebuild();
    expect(await scores()).toEqual(before);
  });

  it('catches the index up from the store log after a crash between commit and indexing', async () => {
    const m = await stack.memories.store({ content: 'before the crash' }, ACTOR);
    await stack.close();
    // A write the store made durable while no index was following (the process died before indexing it).
    const bare = new DocStore(join(home.dir, 'db'), silentLogger());
    await bare.open();
    await bare.mutate<MemoryDoc>('memories', m.id, (current) => {
      const next = A.change(current!, (d) => A.updateText(d, ['content'], 'after the crash zebra'));
      return { doc: next, view: toMemory(next) };
    });
    await bare.close();
    stack = await openStack(home.dir, { now });
    expect(stack.opened).toEqual({ rebuilt: false, replayed: 1 });
    expect((await stack.memories.search({ query: 'zebra' })).results.map((r) => r.id)).toEqual([m.id]);
  });
});
