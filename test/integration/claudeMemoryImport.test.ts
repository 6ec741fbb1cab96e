import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeMemoryDir } from '../../src/transcripts/claudeMemoryDir.js';
import { callOk, MESH_BIN, mcpClient, mesh, TEST_ENV } from '../helpers/cli.js';
import { filesContaining, tmpHome } from '../helpers/tmpHome.js';

const HOOK_MAIN = join(MESH_BIN, '..', 'hookMain.js');
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'claude-code', 'memory');
const API_KEY = 'sk-ant-api03-Zq1xW9vB2nM4kL7pR8sT3uV6yA0cD5eF-gH2jK9mN1qP4rS7tU0wX3zB6dE9fG2hJ5kL8mN-AbCdEfAA';
const CWD = '/home/dev/webshop';
/** Sections with a body in the fixture: MEMORY.md's title, Build and test, Deploy, Conventions; debugging.md's one note. */
const SECTIONS = 5;

interface Report { created: number; updated: number; unchanged: number; sections: number; secrets_redacted: number; project: string | null }
interface Found { results: { id: string; content: string; category: string; project?: string; tags: string[] }[] }

/** Runs a hook the way Claude Code does, with HOME pointing at a fake user home holding `.claude/`. */
function hook(home: string, userHome: string, event: string, input: unknown): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOOK_MAIN, event, '--home', home], { env: { ...process.env, ...TEST_ENV, HOME: userHome } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

describe("Claude Code's auto-memory files, imported into a real daemon", () => {
  const home = tmpHome('mh-cm-');
  const user = tmpHome('mh-cm-user-');
  const memDir = claudeMemoryDir(CWD, user.dir);
  let client: Client;

  beforeAll(async () => {
    mkdirSync(memDir, { recursive: true });
    cpSync(FIXTURE, memDir, { recursive: true });
    await mesh(['init', '--home', home.dir, '--name', 'laptop-a']);
    client = await mcpClient(home.dir, 'claude-code', { MESH_TOOLS: 'core' });
  });
  afterAll(async () => {
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
    user.cleanup();
  });

  it('imports one memory per section, searchable; a re-import adds nothing; an edited section is updated in place (hook, opt-in); no key is stored', async () => {
    const first = await mesh(['import-claude-memory', memDir, '--project', 'webshop', '--home', home.dir, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout) as Report;
    expect(r1).toMatchObject({ created: SECTIONS, updated: 0, sections: SECTIONS, project: 'webshop' });
    expect(r1.secrets_redacted).toBeGreaterThan(0);

    const found = await callOk<Found>(client, 'search_memories', { query: 'qzkeepalive nginx 502', category: 'conversation' });
    const note = found.results.find((m) => m.content.includes('qzkeepalive'));
    expect(note).toMatchObject({ category: 'conversation', project: 'webshop' });
    expect(note!.tags).toContain('claude-memory');
    expect(note!.content).toContain('Checkout 502 after nginx reload');

    const again = JSON.parse((await mesh(['import-claude-memory', memDir, '--project', 'webshop', '--home', home.dir, '--json'])).stdout) as Report;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: SECTIONS });

    // Edit one section; a session-end hook with the flag off imports nothing, with it on updates that section only.
    const file = join(memDir, 'MEMORY.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Integration tests need', 'Integration tests (qzedited) need'));
    const end = { session_id: 's-1', transcript_path: '', cwd: CWD, hook_event_name: 'SessionEnd', reason: 'exit' };
    const off = await hook(home.dir, user.dir, 'session-end', end);
    expect(off.code).toBe(0);
    expect(off.stderr).not.toContain("Claude Code's memory files");
    expect((await callOk<Found>(client, 'search_memories', { query: 'qzedited' })).results.filter((m) => m.content.includes('qzedited'))).toEqual([]);

    writeFileSync(join(home.dir, 'config.json'), JSON.stringify({ claude: { importMemory: true } }));
    const on = await hook(home.dir, user.dir, 'session-end', end);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stderr).toContain("imported 0 new and 1 updated memories from Claude Code's memory files");
    const build = await callOk<Found>(client, 'get_recent_memories', { category: 'conversation', limit: 50 });
    const builds = build.results.filter((m) => m.content.includes('Build and test'));
    expect(builds).toHaveLength(1);
    expect(builds[0]!.content).toContain('qzedited');
    expect(build.results.filter((m) => m.tags.includes('claude-memory'))).toHaveLength(SECTIONS);

    // The key in MEMORY.md is stored nowhere: not in a memory, not in any file of the home.
    expect(JSON.stringify(build)).not.toContain('sk-ant-api03');
    // Redacted once, cleanly: the second pass (after the cut) leaves the placeholder alone.
    expect(build.results.find((m) => m.content.includes('Deploy'))!.content).toContain('PAYMENT_API_KEY=[redacted secret assignment]\n');
    await mesh(['reindex', '--home', home.dir]);
    expect(await filesContaining(home.dir, API_KEY)).toEqual([]);
    expect(await filesContaining(home.dir, API_KEY.slice(0, 30))).toEqual([]);
  });
});
