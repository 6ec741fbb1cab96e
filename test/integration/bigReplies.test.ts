import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IPC_FRAME_BYTES } from '../../src/constants.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { callOk, callTool, errorText, mcpClient, mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

const COUNT = 50;
const CHARS = 65_000;

/** A legal memory of 65,000 characters, three UTF-8 bytes each: 50 of them are ~9.75 MB of JSON. */
function bigContent(i: number): string {
  const head = `big memory ${i} zqbigreply `;
  return head + 'あ'.repeat(CHARS - head.length);
}

/** Issue #10 item 5: requests within every limit never fail on the 8 MiB frame. */
describe('legal requests whose answers exceed one frame', () => {
  const a = tmpHome();
  const b = tmpHome();
  let client: Client;
  const ids: string[] = [];

  beforeAll(async () => {
    await mesh(['init', '--home', a.dir, '--name', 'big-a']);
    await mesh(['init', '--home', b.dir, '--name', 'big-b']);
    // Keyword search only: frames are the subject here, and embedding 100 maximal memories costs minutes on this machine.
    for (const h of [a, b]) writeFileSync(join(h.dir, 'config.json'), JSON.stringify({ embedding: { enabled: false } }));
    client = await mcpClient(a.dir, 'big-agent');
    await callOk(client, 'get_memory_stats');
    const socket = await DaemonClient.connect(homePaths(a.dir).socket, { agent: 'big-test' });
    try {
      for (let i = 0; i < COUNT; i++) ids.push((await socket.call('memory.store', { content: bigContent(i) })).id);
    } finally {
      socket.close();
    }
    expect(COUNT * CHARS * 3).toBeGreaterThan(MAX_IPC_FRAME_BYTES);
  }, 120_000);
  afterAll(async () => {
    await client.close();
    await mesh(['stop', '--home', a.dir]);
    await mesh(['stop', '--home', b.dir]);
    a.cleanup();
    b.cleanup();
  });

  it('search --limit 50 and get_recent_memories {limit: 50} answer every result, cutting content with a flag', async () => {
    const r = await mesh(['search', 'zqbigreply', '--mode', 'keyword', '--limit', '50', '--json', '--home', a.dir]);
    expect(r.code, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout) as { results: { id: string; content: string; content_truncated?: boolean }[]; truncated?: boolean };
    expect(found.results).toHaveLength(COUNT);
    expect(found.truncated).toBe(true);
    const whole = found.results.filter((x) => !x.content_truncated);
    expect(whole.length).toBeGreaterThan(0);
    for (const x of whole) expect(x.content).toHaveLength(CHARS);
    // A cut result is the start of its memory.
    for (const x of found.results.filter((y) => y.content_truncated)) expect(bigContent(Number(/big memory (\d+)/.exec(x.content)![1])).startsWith(x.content)).toBe(true);

    const recent = await callTool(client, 'get_recent_memories', { limit: 50 });
    expect(recent.isError, errorText(recent)).toBeFalsy();
    expect((recent.structuredContent as { results: unknown[] }).results).toHaveLength(COUNT);
    const searched = await callTool(client, 'search_memories', { query: 'zqbigreply', limit: 50, mode: 'keyword' });
    expect(searched.isError, errorText(searched)).toBeFalsy();
    expect((searched.structuredContent as { results: unknown[] }).results).toHaveLength(COUNT);
  });

  it('mesh export writes all 50 whole, and mesh import brings all 50 into another home', async () => {
    const file = join(b.dir, 'big.jsonl');
    const ex = await mesh(['export', '--out', file, '--json', '--home', a.dir]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(JSON.parse(ex.stdout)).toMatchObject({ count: COUNT });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(COUNT + 1);
    expect(new Set(lines.slice(1).map((l) => (JSON.parse(l) as { content: string }).content.length))).toEqual(new Set([CHARS]));

    const im = await mesh(['import', file, '--json', '--home', b.dir]);
    expect(im.code, im.stderr).toBe(0);
    expect(JSON.parse(im.stdout)).toMatchObject({ created: COUNT, invalid: 0 });
    const stdout = await mesh(['export', '--home', b.dir]);
    expect(stdout.stdout.trim().split('\n')).toHaveLength(COUNT + 1);
  }, 120_000);

  it('a 10 MiB MCP request gets an error and the session goes on', async () => {
    const r = await callTool(client, 'store_memory', { content: 'x'.repeat(10 * 1024 * 1024) });
    expect(r.isError).toBe(true);
    expect(errorText(r)).toMatch(/^INVALID_INPUT: request of \d+ bytes exceeds/);
    const after = await callOk<{ id: string }>(client, 'store_memory', { content: 'still serving after a 10 MiB line' });
    expect(after.id).toBeTruthy();
  });
});
