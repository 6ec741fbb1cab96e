import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODELS_DIR } from '../../src/search/embedder/models.js';
import { callOk, callTool, errorText, mcpClient, mesh } from '../helpers/cli.js';
import { eventually } from '../helpers/meshHosts.js';
import { tmpHome } from '../helpers/tmpHome.js';

interface Hit {
  id: string;
  content: string;
  score: number;
  category: string;
}

const NOTES = [
  { content: 'elastic3 ran out of heap during a merge; raised -Xmx to 16g and the node recovered', category: 'incidents', tags: ['elasticsearch'] },
  { content: 'elastic3 ran out of heap during a merge, we raised -Xmx to 16g and the node recovered', category: 'incidents', tags: ['es'] },
  { content: 'proxy-eu1 answered HTTP 502 after the nginx reload; upstream keepalive fixed it', category: 'incidents', tags: ['nginx'] },
  { content: 'Runbook: rotate the TLS certificate on proxy-us2 with certbot renew --force-renewal', category: 'runbooks', tags: ['tls'] },
  { content: 'pg-primary-2 replication lag reached 40 s while the nightly vacuum ran', category: 'monitoring', tags: ['postgres'] },
];

/** True once every memory is indexed; otherwise throws the model's state, so a timeout says what was missing. */
async function modelReady(home: string, vectors: number): Promise<boolean> {
  const r = await mesh(['model', '--home', home, '--json']);
  const m = JSON.parse(r.stdout) as { loaded: boolean; vectors?: number; queued?: number; rebuilding?: unknown };
  if (m.loaded && m.vectors === vectors && m.queued === 0 && !m.rebuilding) return true;
  throw new Error(`not ready: ${JSON.stringify(m)}`);
}

describe('hybrid search end to end through MCP, with the bundled offline model', () => {
  const home = tmpHome();
  let client: Client;
  const ids: string[] = [];

  beforeAll(async () => {
    client = await mcpClient(home.dir, 'search-test', { MESH_TOOLS: 'core,lifecycle' });
    for (const n of NOTES) ids.push((await callOk<{ id: string }>(client, 'store_memory', n)).id);
    await eventually(() => modelReady(home.dir, NOTES.length), 'the model to load and index every memory', 60_000);
  }, 120_000);
  afterAll(async () => {
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  const search = (args: Record<string, unknown>) => callOk<{ results: Hit[]; mode: string }>(client, 'search_memories', args);

  it('finds by meaning, by exact token, and by both; every result has a score', async () => {
    const semantic = await search({ query: 'why did the search node run out of memory', mode: 'semantic', limit: 3 });
    expect(semantic.mode).toBe('semantic');
    expect(semantic.results[0]?.content).toMatch(/elastic3 ran out of heap/);
    const exact = await search({ query: '--force-renewal', mode: 'keyword' });
    expect(exact.results.map((r) => r.id)).toEqual([ids[3]]);
    const hybrid = await search({ query: 'nginx 502 after reload' });
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid.results[0]?.id).toBe(ids[2]);
    for (const r of [...semantic.results, ...exact.results, ...hybrid.results]) expect(r.score).toBeGreaterThan(0);
  });

  it('expands a hybrid query with the bundled thesaurus, and says so; keyword mode stays literal', async () => {
    expect((await search({ query: 'bad gateway', mode: 'keyword' })).results).toEqual([]);
    const r = await callTool(client, 'search_memories', { query: 'bad gateway', limit: 3 });
    const out = r.structuredContent as { results: Hit[]; expanded?: string[] };
    expect(out.results[0]?.id).toBe(ids[2]);
    expect(out.expanded).toContain('502');
    expect(errorText(r)).toMatch(/also searched: .*502/);
  });

  it('filters by category and tags in every mode, and excludes deleted memories', async () => {
    for (const mode of ['hybrid', 'semantic', 'keyword']) {
      const r = await search({ query: 'replication lag vacuum postgres', mode, category: 'monitoring' });
      expect(r.results.map((x) => x.category), mode).toEqual(['monitoring']);
      const t = await search({ query: 'heap', mode, tags: ['es'] });
      expect(t.results.map((x) => x.id), mode).toEqual([ids[1]]);
    }
    await callOk(client, 'delete_memory', { memory_id: ids[4] });
    expect((await search({ query: 'replication lag vacuum', mode: 'semantic' })).results.map((x) => x.id)).not.toContain(ids[4]);
    await callOk(client, 'recover_deleted_memory', { memory_id: ids[4] });
    await eventually(async () => (await search({ query: 'replication lag vacuum', mode: 'semantic' })).results.some((x) => x.id === ids[4]), 'recovered memory back in the vector index');
  });

  it('detects a real near-duplicate pair and merges it', async () => {
    const pairs = await callOk<{ pairs: { a: string; b: string; score: number }[] }>(client, 'detect_duplicate_memories', {});
    expect(pairs.pairs).toHaveLength(1);
    expect([pairs.pairs[0]?.a, pairs.pairs[0]?.b].sort()).toEqual([ids[0], ids[1]].sort());
    const merged = await callOk<{ kept: { tags: string[] } }>(client, 'merge_duplicate_memories', { keep_id: ids[0], duplicate_ids: [ids[1]] });
    expect(merged.kept.tags.sort()).toEqual(['elasticsearch', 'es']);
    const dup = await callOk<{ deleted: boolean; deleted_reason: string }>(client, 'retrieve_memory', { memory_id: ids[1] });
    expect(dup).toMatchObject({ deleted: true, deleted_reason: `merged into ${ids[0]}` });
    const bad = await callTool(client, 'merge_duplicate_memories', { keep_id: ids[0], duplicate_ids: [ids[0]] });
    expect(bad.isError).toBe(true);
    expect(errorText(bad)).toMatch(/keep_id/);
  });

  it('indexes are derived: deleting them and restarting gives the same answers', { timeout: 150_000 }, async () => {
    const queries = ['run out of memory', 'nginx 502', 'TLS certificate rotation', 'postgres lag'];
    const before = await Promise.all(queries.map((q) => search({ query: q, limit: 5 })));
    await mesh(['stop', '--home', home.dir]);
    rmSync(join(home.dir, 'index'), { recursive: true, force: true });
    const live = NOTES.length - 1;
    await eventually(() => modelReady(home.dir, live), 'vectors rebuilt after the index was deleted', 60_000);
    const after = await Promise.all(queries.map((q) => search({ query: q, limit: 5 })));
    expect(after.map((r) => r.results.map((x) => [x.id, x.score]))).toEqual(before.map((r) => r.results.map((x) => [x.id, x.score])));
  });

  it('a model change is detected and the vector index rebuilt for it, never mixed', { timeout: 150_000 }, async () => {
    await mesh(['stop', '--home', home.dir]);
    const other = join(home.dir, 'models', 'renamed-static-model');
    mkdirSync(join(home.dir, 'models'), { recursive: true });
    cpSync(join(BUNDLED_MODELS_DIR, 'hivemesh-static-use-v1'), other, { recursive: true });
    writeFileSync(join(home.dir, 'config.json'), JSON.stringify({ embedding: { model: { id: 'renamed-static-model', path: other } } }));
    await eventually(() => modelReady(home.dir, NOTES.length - 1), 'vectors rebuilt for the new model id', 60_000);
    const m = JSON.parse((await mesh(['model', '--home', home.dir, '--json'])).stdout) as { model: string };
    expect(m.model).toBe('renamed-static-model');
    const r = await search({ query: 'why did the search node run out of memory', mode: 'semantic', limit: 1 });
    expect(r.results[0]?.id).toBe(ids[0]);
  });
});
