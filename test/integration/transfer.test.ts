import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

const json = <T>(r: { stdout: string }) => JSON.parse(r.stdout) as T;

describe('mesh export / mesh import between two homes', () => {
  const a = tmpHome();
  const b = tmpHome();
  const file = join(a.dir, 'export.jsonl');
  afterAll(async () => {
    for (const h of [a, b]) {
      await mesh(['stop', '--home', h.dir]);
      h.cleanup();
    }
  });

  it('moves memories with their ids and provenance, is idempotent, and never brings an erased memory back', async () => {
    await mesh(['init', '--home', a.dir, '--name', 'origin-host']);
    await mesh(['init', '--home', b.dir, '--name', 'other-host']);
    const store = async (text: string, extra: string[] = []) => json<{ id: string }>(await mesh(['store', text, '--home', a.dir, '--json', ...extra])).id;
    const kept = await store('pg-primary-2 failover runbook: promote the standby with pg_ctl promote', ['--category', 'runbooks', '--tags', 'postgres,failover', '--project', 'payments']);
    const soft = await store('old note about the staging proxy');
    const secret = await store('private note that stays on this host', ['--scope', 'private']);
    const erased = await store('leaked token, erase me');
    await mesh(['rm', soft, '--home', a.dir]);
    await mesh(['rm', erased, '--hard', '--home', a.dir]);

    expect(json<{ count: number }>(await mesh(['export', '--out', file, '--home', a.dir, '--json'])).count).toBe(2);
    const all = json<{ count: number }>(await mesh(['export', '--out', file, '--deleted', '--home', a.dir, '--json']));
    expect(all.count).toBe(3);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'hivemesh-memories', version: 1, count: 3 });
    expect(lines.join('\n')).not.toContain('leaked token');

    const first = await mesh(['import', file, '--home', b.dir, '--json']);
    expect(first.code).toBe(0);
    expect(json(first)).toMatchObject({ created: 3, exists: 0, erased: 0, invalid: 0 });
    const got = json<Record<string, unknown>>(await mesh(['get', kept, '--home', b.dir, '--json']));
    expect(got).toMatchObject({ id: kept, category: 'runbooks', tags: ['postgres', 'failover'], project: 'payments', machine: 'origin-host', deleted: false });
    expect(json<{ deleted: boolean; scope: string }>(await mesh(['get', soft, '--home', b.dir, '--json'])).deleted).toBe(true);
    expect(json<{ scope: string }>(await mesh(['get', secret, '--home', b.dir, '--json'])).scope).toBe('private');
    expect(json<{ results: { id: string }[] }>(await mesh(['search', 'promote the standby', '--mode', 'keyword', '--home', b.dir, '--json'])).results.map((r) => r.id)).toEqual([kept]);

    // Again: nothing changes. After an erasure on B, the import does not bring that memory back.
    expect(json(await mesh(['import', file, '--home', b.dir, '--json']))).toMatchObject({ created: 0, exists: 3, erased: 0 });
    await mesh(['rm', kept, '--hard', '--home', b.dir]);
    expect(json(await mesh(['import', file, '--home', b.dir, '--json']))).toMatchObject({ created: 0, exists: 2, erased: 1 });
    expect((await mesh(['get', kept, '--home', b.dir])).code).toBe(3);
  });

  it('reports bad lines by number and imports the rest; refuses a file that is not an export', async () => {
    const mixed = join(b.dir, 'mixed.jsonl');
    const [header, line] = readFileSync(file, 'utf8').trim().split('\n');
    const good = { ...(JSON.parse(line!) as Record<string, unknown>), id: '3f1c2e1a-0000-4000-8000-000000000001' };
    writeFileSync(mixed, `${header}\n${JSON.stringify(good)}\n`);
    appendFileSync(mixed, 'not json at all\n');
    appendFileSync(mixed, JSON.stringify({ ...good, id: 'nope', category: 'no such category' }) + '\n');
    // Well-formed, but a category this host does not allow: refused by the daemon, the rest still imported.
    appendFileSync(mixed, JSON.stringify({ ...good, id: '3f1c2e1a-0000-4000-8000-000000000002', category: 'postmortems' }) + '\n');
    const r = await mesh(['import', mixed, '--home', b.dir, '--json']);
    expect(r.code).toBe(1);
    const out = json<{ created: number; invalid: number; errors: { line: number; reason: string }[] }>(r);
    expect(out).toMatchObject({ created: 1, invalid: 3 });
    expect(out.errors[0]).toEqual({ line: 3, reason: 'not JSON' });
    expect(out.errors[1]?.line).toBe(4);
    expect(out.errors[1]?.reason).toMatch(/id: id must be a memory id/);
    expect(out.errors[2]?.line).toBe(5);
    expect(out.errors[2]?.reason).toMatch(/unknown category "postmortems"/);

    // JSON lines that are neither an export nor notes: each refused by number (plain notes are accepted: newcomer.test.ts).
    const notExport = join(b.dir, 'notes.jsonl');
    writeFileSync(notExport, '{"hello": "world"}\n');
    const bad = await mesh(['import', notExport, '--home', b.dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/line 1: not a note/);
    const badHeader = join(b.dir, 'bad-header.jsonl');
    writeFileSync(badHeader, '{"format": "something-else", "version": 1}\n');
    expect((await mesh(['import', badHeader, '--home', b.dir])).stderr).toMatch(/is not a mesh export/);
    const missing = await mesh(['import', join(b.dir, 'nope.jsonl'), '--home', b.dir]);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
