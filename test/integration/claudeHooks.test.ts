import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BRIEFING_CHARS, DEFAULT_PROMPT_CHARS, MAX_BRIEFING_CHARS } from '../../src/briefing/constants.js';
import { callOk, callTool, errorText, MESH_BIN, mcpClient, mesh, TEST_ENV } from '../helpers/cli.js';
import { filesContaining, tmpHome } from '../helpers/tmpHome.js';

const HOOK_MAIN = join(MESH_BIN, '..', 'hookMain.js');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'claude-code');
const SESSION = '7f3c9a2e-1b4d-4e8f-9a6b-2c5d8e1f0a3b';
const VAULT_VALUE = 'zqvaultvalue-Hx81-never-shown';
const API_KEY = 'sk-ant-api03-Zq1xW9vB2nM4kL7pR8sT3uV6yA0cD5eF-gH2jK9mN1qP4rS7tU0wX3zB6dE9fG2hJ5kL8mN-AbCdEfAA';

/** Runs a hook the way Claude Code does: the event's JSON on stdin, stdout captured, exit status checked. */
function hook(home: string, event: string, input: unknown, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOOK_MAIN, event, '--home', home, ...args], { env: { ...process.env, ...TEST_ENV } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(typeof input === 'string' ? input : JSON.stringify(input));
  });
}

const startInput = (source: string, cwd = '/home/dev/webshop') => ({ session_id: SESSION, transcript_path: '/nonexistent.jsonl', cwd, hook_event_name: 'SessionStart', source });

describe('Claude Code hooks and transcript import, on a real daemon', () => {
  const home = tmpHome('mh-cc-');
  let client: Client;

  beforeAll(async () => {
    await mesh(['init', '--home', home.dir, '--name', 'laptop-a']);
    client = await mcpClient(home.dir, 'claude-code', { MESH_TOOLS: 'core,lifecycle,agents,kanban' });
  });
  afterAll(async () => {
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('session-start prints a briefing within budget holding the open incident, the claimable task and the broadcast, for every source', async () => {
    await callOk(client, 'store_memory', { content: 'INC zqincident: checkout 502 on proxy-eu1 since the nginx reload', category: 'incidents', project: 'webshop' });
    await callOk(client, 'store_memory', { content: 'old incident zqresolved on proxy-eu2', category: 'incidents', tags: ['resolved'] });
    await callOk(client, 'create_kanban_task', { title: 'zqtask rotate the staging TLS certificate', project: 'webshop' });
    await callOk(client, 'register_agent', { role: 'ops', capabilities: ['nginx'] });
    await callOk(client, 'broadcast_discovery', { message: 'zqbroadcast: registry mirror moved to registry-2', severity: 'warning' });
    for (const source of ['startup', 'resume', 'clear', 'compact']) {
      const r = await hook(home.dir, 'session-start', startInput(source));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length).toBeLessThanOrEqual(DEFAULT_BRIEFING_CHARS);
      for (const token of ['zqincident', 'zqtask', 'zqbroadcast']) expect(r.stdout, `${source}: ${token}\n${r.stdout}`).toContain(token);
      expect(r.stdout).not.toContain('zqresolved');
      expect(r.stdout).toContain('project webshop');
    }
  });

  it('the briefing follows the incident record (resolved by update_incident: gone) and names the vaults this host can open, never a value', async () => {
    const ops = await mcpClient(home.dir, 'ops-session', { MESH_TOOLS: 'core,devops,vault' });
    try {
      const open = await callOk<{ incident: { id: string } }>(ops, 'record_incident', { title: 'zqopenrec db-3 lagging', description: 'replica lag 40 s', affected_systems: ['db-3'], project: 'webshop' });
      const fixed = await callOk<{ incident: { id: string } }>(ops, 'record_incident', { title: 'zqfixedrec cache-1 evictions', description: 'evictions spiking', affected_systems: ['cache-1'], project: 'webshop' });
      await callOk(ops, 'update_incident', { incident_id: fixed.incident.id, status: 'resolved', resolution: 'maxmemory raised to 4 GB' });
      await callOk(ops, 'create_vault', { name: 'webshop-prod', type: 'project' });
      await callOk(ops, 'store_in_vault', { vault: 'webshop-prod', name: 'zqsecretname-db-password', value: VAULT_VALUE });
      const r = await hook(home.dir, 'session-start', startInput('startup'));
      expect(r.code, r.stderr).toBe(0);
      const incidents = /## Open incidents[^\n]*\n((?:- [^\n]*\n?)*)/.exec(r.stdout)?.[1] ?? '';
      expect(incidents, r.stdout).toContain('zqopenrec');
      // Resolved: not an open incident (it may still be one of the project's recent memories, with its resolution).
      expect(incidents, r.stdout).not.toContain('zqfixedrec');
      expect(r.stdout).toContain(open.incident.id.slice(0, 8));
      expect(r.stdout).toMatch(/## Vaults the session may need[^\n]*\n- webshop-prod\b[^\n]*zqsecretname-db-password/);
      expect(r.stdout).not.toContain(VAULT_VALUE);
    } finally {
      await ops.close();
    }
  });

  it('keeps a small budget, and a hook never fails the session: bad stdin, no daemon home', async () => {
    for (let i = 0; i < 30; i++) await callOk(client, 'store_memory', { content: `webshop note ${i}: ${'padding words '.repeat(20)}`, project: 'webshop' });
    const small = await hook(home.dir, 'session-start', startInput('startup'), ['--budget', '800']);
    expect(small.code).toBe(0);
    expect(small.stdout.trimEnd().length).toBeLessThanOrEqual(800);
    expect(small.stdout).toContain('more not shown');
    // A budget out of the daemon's bounds is brought within them, never turned into an empty briefing.
    const huge = await hook(home.dir, 'session-start', startInput('startup'), ['--budget', '50000']);
    expect(huge.stdout, huge.stderr).toContain('hivemesh briefing');
    expect(huge.stdout.trimEnd().length).toBeLessThanOrEqual(MAX_BRIEFING_CHARS);
    const tiny = await hook(home.dir, 'session-start', startInput('startup'), ['--budget', '10']);
    expect(tiny.stdout, tiny.stderr).toContain('hivemesh briefing');
    const garbage = await hook(home.dir, 'session-start', 'not json at all');
    expect(garbage.code).toBe(0);
    expect(garbage.stdout).toContain('hivemesh briefing');
    // A home path too long for a socket: the daemon cannot start; the hook prints nothing and exits 0.
    const broken = await hook(`/tmp/${'x'.repeat(120)}`, 'session-start', startInput('startup'));
    expect(broken).toMatchObject({ code: 0, stdout: '' });
    expect(broken.stderr).toContain('hivemesh hook session-start');
  });

  it('user-prompt (opt-in) prints the memories that clearly match the prompt, nothing for an unrelated prompt, and never starts a daemon (session-start does)', async () => {
    await callOk(client, 'store_memory', { content: 'zqprompt: the payments sandbox rejects amounts above 999.99 EUR with error PAY-4031', project: 'webshop' });
    const promptInput = (prompt: string) => ({ session_id: SESSION, transcript_path: '/nonexistent.jsonl', cwd: '/home/dev/webshop', hook_event_name: 'UserPromptSubmit', prompt });
    const hit = await hook(home.dir, 'user-prompt', promptInput('why does the payments sandbox answer PAY-4031?'));
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stdout).toContain('zqprompt');
    expect(hit.stdout.trimEnd().length).toBeLessThanOrEqual(DEFAULT_PROMPT_CHARS + 60);
    const miss = await hook(home.dir, 'user-prompt', promptInput('qwxv zzyzx plorf'));
    expect(miss).toMatchObject({ code: 0, stdout: '' });
    const empty = await hook(home.dir, 'user-prompt', promptInput('   '));
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    // A home whose daemon is not running: nothing printed, exit 0, and no daemon started for a prompt.
    const idle = tmpHome('mh-idle-');
    try {
      await mesh(['init', '--home', idle.dir, '--name', 'idle']);
      await mesh(['stop', '--home', idle.dir]);
      const r = await hook(idle.dir, 'user-prompt', promptInput('payments sandbox PAY-4031'));
      expect(r).toMatchObject({ code: 0, stdout: '' });
      expect(existsSync(join(idle.dir, 'daemon.sock'))).toBe(false);
      // session-start does start it, and briefs the session.
      const start = await hook(idle.dir, 'session-start', startInput('startup'));
      expect(start.code, start.stderr).toBe(0);
      expect(start.stdout).toContain('hivemesh briefing: host idle, project webshop');
    } finally {
      await mesh(['stop', '--home', idle.dir]);
      idle.cleanup();
    }
  });

  it('imports a real-format transcript into searchable memories, and a grown transcript adds only the new part', async () => {
    const work = tmpHome('mh-tr-');
    try {
      const file = join(work.dir, `${SESSION}.jsonl`);
      await copyFile(join(FIXTURES, 'session-part1.jsonl'), file);
      const first = await mesh(['import-transcript', file, '--home', home.dir, '--json']);
      expect(first.code, first.stderr).toBe(0);
      const r1 = JSON.parse(first.stdout) as { created: number; updated: number; skipped_lines: number };
      expect(r1.created).toBe(3); // summary, the fix, the error with its resolution
      expect(r1.skipped_lines).toBe(4); // system, file-history-snapshot, an unknown type, broken JSON
      const found = await callOk<{ results: { content: string; category: string; project: string }[] }>(client, 'search_memories', { query: 'keepalive_timout', category: 'conversation' });
      expect(found.results.length).toBeGreaterThan(0);
      expect(found.results[0]).toMatchObject({ category: 'conversation', project: 'webshop' });

      const again = JSON.parse((await mesh(['import-transcript', file, '--home', home.dir, '--json'])).stdout) as { created: number; updated: number; unchanged: number };
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });

      await appendFile(file, readFileSync(join(FIXTURES, 'session-part2.jsonl')));
      // The pre-compact hook imports the grown transcript.
      const pre = await hook(home.dir, 'pre-compact', { session_id: SESSION, transcript_path: file, cwd: '/home/dev/webshop', hook_event_name: 'PreCompact', trigger: 'auto' });
      expect(pre.code).toBe(0);
      expect(pre.stderr).toContain('imported 1 new and 1 updated');
      const grown = await callOk<{ results: { content: string }[] }>(client, 'search_memories', { query: 'PAYMENT_API_KEY environment variable', category: 'conversation' });
      expect(grown.results.some((m) => m.content.includes('PAYMENT_API_KEY'))).toBe(true);

      // The API key in the transcript is stored nowhere: not in a memory, not in any file of the home.
      const all = await callOk<{ results: { content: string; metadata?: unknown }[] }>(client, 'get_recent_memories', { category: 'conversation', limit: 50 });
      expect(JSON.stringify(all)).not.toContain('sk-ant-api03');
      expect(JSON.stringify(all)).toContain('[redacted anthropic key]');
      await mesh(['reindex', '--home', home.dir]);
      expect(await filesContaining(home.dir, API_KEY)).toEqual([]);
      expect(await filesContaining(home.dir, API_KEY.slice(0, 30))).toEqual([]);
    } finally {
      work.cleanup();
    }
  });

  it('bulk delete without confirm deletes nothing; with the wrong count it refuses; with the dry run\'s count it deletes', async () => {
    for (let i = 0; i < 4; i++) await callOk(client, 'store_memory', { content: `zqbulk scratch ${i}`, project: 'scratchpad' });
    const dry = await callOk<{ dry_run: boolean; count: number; sample: unknown[] }>(client, 'bulk_delete_memories', { project: 'scratchpad' });
    expect(dry).toMatchObject({ dry_run: true, count: 4 });
    expect(dry.sample).toHaveLength(4);
    expect((await callOk<{ results: unknown[] }>(client, 'get_project_memories', { project: 'scratchpad' })).results).toHaveLength(4);
    const wrong = await callTool(client, 'bulk_delete_memories', { project: 'scratchpad', confirm: true, expected_count: 3 });
    expect(wrong.isError).toBe(true);
    expect(errorText(wrong)).toMatch(/^CONFIRMATION_REQUIRED/);
    const noCount = await callTool(client, 'bulk_delete_memories', { project: 'scratchpad', confirm: true });
    expect(errorText(noCount)).toMatch(/^CONFIRMATION_REQUIRED/);
    expect((await callOk<{ results: unknown[] }>(client, 'get_project_memories', { project: 'scratchpad' })).results).toHaveLength(4);
    const done = await callOk(client, 'bulk_delete_memories', { project: 'scratchpad', confirm: true, expected_count: 4 });
    expect(done).toMatchObject({ dry_run: false, deleted: 4 });
    expect((await callOk<{ results: unknown[] }>(client, 'get_project_memories', { project: 'scratchpad' })).results).toHaveLength(0);
    const unfiltered = await callTool(client, 'bulk_delete_memories', {});
    expect(errorText(unfiltered)).toMatch(/^INVALID_INPUT/);
  });

  it('a new session gets the format guide once, with its first tool result; access stats count its calls', async () => {
    const fresh = await mcpClient(home.dir, 'guide-check', { MESH_TOOLS: 'core,lifecycle' });
    try {
      const first = await callTool(fresh, 'get_memory_stats');
      expect(first.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')).toContain('memory format guide');
      const second = await callTool(fresh, 'get_memory_stats');
      expect(second.content).toHaveLength(1);
      const stats = await callOk<{ sessions: { agent: string; by_method: Record<string, number> }[] }>(fresh, 'get_memory_access_stats', { agent: 'guide-check@1.0.0' });
      expect(stats.sessions[0]!.by_method['memory.stats']).toBe(2);
    } finally {
      await fresh.close();
    }
  });
});
