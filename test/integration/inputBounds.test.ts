import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_METADATA_CHARS, MAX_METADATA_DEPTH, MAX_METADATA_KEYS } from '../../src/constants.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { FrameDecoder } from '../../src/ipc/framing.js';
import { callOk, callTool, errorText, mcpClient, mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

/** Sends one hand-made frame on a fresh connection and returns the reply frame. */
function rawCall(path: string, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    const decoder = new FrameDecoder();
    conn.on('error', reject);
    conn.on('close', () => reject(new Error('closed without a reply')));
    conn.on('data', (chunk: Buffer) => {
      const [frame] = decoder.push(chunk);
      if (frame !== undefined) {
        resolve(frame);
        conn.destroy();
      }
    });
    const bytes = Buffer.from(body, 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(bytes.length, 0);
    conn.write(Buffer.concat([header, bytes]));
  });
}

/** `depth` levels of nested arrays around 1 (depth 1 is `[1]`). */
function nestedArrays(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** `depth` levels of nested objects `{ a: { a: ... } }`. */
function nestedObjects(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cur = root;
  for (let i = 1; i < depth; i++) {
    const next: Record<string, unknown> = {};
    cur['a'] = next;
    cur = next;
  }
  cur['leaf'] = true;
  return root;
}

/** Issue #10 items 2 (API side) and 6: bounded input shapes, INVALID_INPUT tool errors, method names, lone surrogates. */
describe('input bounds at every door', () => {
  const home = tmpHome();
  let client: Client;
  let socket: DaemonClient;

  beforeAll(async () => {
    await mesh(['init', '--home', home.dir, '--name', 'bounds-host']);
    client = await mcpClient(home.dir, 'bounds-agent', { MESH_TOOLS: 'all' });
    await callOk(client, 'get_memory_stats');
    socket = await DaemonClient.connect(homePaths(home.dir).socket, { agent: 'bounds-test' });
  });
  afterAll(async () => {
    socket.close();
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ACCEPTED', message: '' }), (err: { code: string; message: string }) => err);

  it('refuses metadata that is too deep, too wide or too long with INVALID_INPUT naming the field, at any depth without a stack overflow', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['96 levels (the replication poison)', { n: nestedArrays(96) }, /^INVALID_INPUT: metadata\.n.*deeper than/],
      ['3,000 levels', nestedObjects(3_000), /^INVALID_INPUT: metadata\.a.*deeper than/],
      ['one level past the bound', nestedObjects(MAX_METADATA_DEPTH + 1), new RegExp(`^INVALID_INPUT: metadata\\.a.*metadata is nested deeper than ${MAX_METADATA_DEPTH} levels`)],
      ['too many keys', Object.fromEntries(Array.from({ length: MAX_METADATA_KEYS + 1 }, (_, i) => [`k${i}`, i])), /^INVALID_INPUT: metadata.*more than \d+ keys/],
      ['a long key', { ['k'.repeat(500)]: 1 }, /^INVALID_INPUT: metadata.*key of 500 characters/],
      ['a long array', { list: Array.from({ length: 5_000 }, () => 0) }, /^INVALID_INPUT: metadata\.list: metadata has 5000 items/],
      ['too many characters', { blob: 'x'.repeat(MAX_METADATA_CHARS) }, /^INVALID_INPUT: metadata: metadata must serialise/],
    ];
    for (const [what, metadata, reason] of cases) {
      const r = await callTool(client, 'store_memory', { content: `bounds ${what}`, metadata });
      expect(r.isError, what).toBe(true);
      expect(errorText(r), what).toMatch(reason);
      // The same answer on the socket (the CLI's door), by code.
      const s = await refusal(socket.call('memory.store', { content: `bounds ${what}`, metadata }));
      expect(s.code, what).toBe('INVALID_INPUT');
      expect(s.message, what).not.toMatch(/call stack/);
    }
    // Far deeper than any validator (or JSON.stringify) could recurse: a hand-written frame, still a clean INVALID_INPUT.
    const deep = `${'['.repeat(200_000)}1${']'.repeat(200_000)}`;
    for (const [method, params] of [
      ['memory.store', `{"content":"x","metadata":{"n":${deep}}}`],
      ['task.create', `{"title":"x","deep":${deep}}`],
    ]) {
      const res = await rawCall(homePaths(home.dir).socket, `{"id":1,"method":"${method}","params":${params},"ctx":{"agent":"raw"}}`);
      expect(res, method).toMatchObject({ id: 1, ok: false, error: { code: 'INVALID_INPUT' } });
    }

    const legal = { ticket: 'OPS-1', tree: nestedObjects(MAX_METADATA_DEPTH - 1), hosts: ['a', 'b'] };
    const stored = await callOk<{ id: string }>(client, 'store_memory', { content: 'deep but legal metadata', metadata: legal });
    expect((await callOk<{ metadata: unknown }>(client, 'retrieve_memory', { memory_id: stored.id })).metadata).toEqual(legal);
  });

  it('bounds the metadata an update produces, not only the update', async () => {
    const { id } = await callOk<{ id: string }>(client, 'store_memory', { content: 'metadata grows by updates', metadata: { a: 'x'.repeat(9_000) } });
    const r = await callTool(client, 'update_memory', { memory_id: id, metadata: { b: 'y'.repeat(9_000) } });
    expect(r.isError).toBe(true);
    expect(errorText(r)).toMatch(/^INVALID_INPUT: after this update, metadata must serialise to at most/);
  });

  it('answers schema failures as INVALID_INPUT tool errors (not protocol errors), for every group', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['store_memory', { content: '' }, /^INVALID_INPUT: content: content must not be empty/],
      ['store_memory', { content: 42 }, /^INVALID_INPUT: content: /],
      ['search_memories', { query: 'x', limit: 0 }, /^INVALID_INPUT: limit: /],
      ['create_kanban_task', { title: '' }, /^INVALID_INPUT: title: /],
      ['register_agent', { role: 'x', capabilities: 'nope' }, /^INVALID_INPUT: capabilities: /],
      ['merge_duplicate_memories', { keep_id: 'a', duplicate_ids: [] }, /^INVALID_INPUT: duplicate_ids: /],
    ];
    for (const [tool, args, reason] of cases) {
      const r = await callTool(client, tool, args);
      expect(r.isError, tool).toBe(true);
      expect(errorText(r), tool).toMatch(reason);
    }
    // The advertised schemas are the real ones.
    const store = (await client.listTools()).tools.find((t) => t.name === 'store_memory')!;
    expect(store.inputSchema.required).toEqual(['content']);
    expect(Object.keys(store.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['content', 'tags', 'metadata', 'scope']));
  });

  it('refuses lone surrogates with a clear error rather than storing U+FFFD, and stores paired ones as sent', async () => {
    const r = await callTool(client, 'store_memory', { content: 'half a pair: \ud83d then text' });
    expect(r.isError).toBe(true);
    expect(errorText(r)).toMatch(/^INVALID_INPUT: content: contains a lone surrogate/);
    for (const [method, params] of [
      ['memory.store', { content: 'ok', tags: ['bad\udc00tag'] }],
      ['memory.store', { content: 'ok', metadata: { ['k\ud800']: 1 } }],
      ['task.create', { title: 'card \ud800' }],
      ['agent.broadcast', { message: 'news \udfff', severity: 'info' }],
    ] as const) {
      expect((await refusal(socket.callUnchecked(method, params))).code, method).toBe('INVALID_INPUT');
    }
    const text = 'emoji 🐝 and accents é stay exact';
    const { id } = await callOk<{ id: string }>(client, 'store_memory', { content: text });
    expect((await callOk<{ content: string }>(client, 'retrieve_memory', { memory_id: id })).content).toBe(text);
  });

  it('an import line that breaks the bounds is reported by number; its neighbours still import', async () => {
    const file = join(home.dir, 'odd.jsonl');
    const memory = (n: number, extra: Record<string, unknown>) =>
      JSON.stringify({ id: `5b0e7c2a-0000-4000-8000-00000000000${n}`, content: `import ${n}`, category: 'project', machine: 'elsewhere', agent: 'someone', created_at: new Date().toISOString(), updated_at: new Date().toISOString(), ...extra });
    const header = JSON.stringify({ format: 'hivemesh-memories', version: 1, exported_at: new Date().toISOString(), machine: 'elsewhere', count: 4 });
    // The lone surrogate is written as a JSON escape, as another program's export might.
    const surrogate = memory(2, {}).replace('"import 2"', '"import 2 \\ud800"');
    writeFileSync(file, [header, memory(1, {}), surrogate, memory(3, { metadata: { n: nestedArrays(60) } }), memory(4, { metadata: { n: nestedArrays(20) } })].join('\n') + '\n');
    const r = await mesh(['import', file, '--json', '--home', home.dir]);
    const out = JSON.parse(r.stdout) as { created: number; invalid: number; errors: { line: number; reason: string }[] };
    expect(out.created, r.stderr).toBe(1);
    expect(out.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(out.errors[0]!.reason).toMatch(/content: contains a lone surrogate/);
    expect(out.errors[1]!.reason).toMatch(/deeper than/);
    expect(out.errors[2]!.reason).toMatch(/metadata is nested deeper than 16 levels/);
  });

  it('answers method names inherited by every object with UNKNOWN_METHOD', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      const e = await refusal(socket.callUnchecked(name, {}));
      expect(e.code, name).toBe('UNKNOWN_METHOD');
    }
    expect(await socket.call('daemon.ping', {})).toEqual({ pong: true });
  });
});
