import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noteId } from '../../src/domain/plainNotes.js';
import { callTool, errorText, mcpClient, mesh, waitForExit } from '../helpers/cli.js';
import { eventually, freePort } from '../helpers/meshHosts.js';
import { tmpHome } from '../helpers/tmpHome.js';

/** What a new user trips on (issue 15), each checked the way a script would: stdout, stderr, exit status. */

const json = <T>(r: { stdout: string; stderr: string }): T => {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON: ${r.stdout} / ${r.stderr}`);
  }
};
type Result = { id: string; content: string; score: number };

describe('mesh CLI for a newcomer', () => {
  const home = tmpHome('mh-new-');
  const h = ['--home', home.dir];
  afterAll(async () => {
    await mesh(['stop', ...h]);
    home.cleanup();
  });

  it('init --name on an initialised home says how to rename; an empty roster says how to register', async () => {
    expect((await mesh(['init', '--name', 'nc-host', ...h])).code).toBe(0);
    const again = await mesh(['init', '--name', 'other-name', ...h]);
    expect(again.stdout).toMatch(/already initialised .* as nc-host/);
    expect(again.stderr).toMatch(/identity\.json/);
    const roster = await mesh(['roster', ...h]);
    expect(roster.stderr).toMatch(/mesh agent register --role/);
  });

  it('prints the invite token alone on stdout, so mesh join "$(mesh invite)" works', async () => {
    const invite = await mesh(['invite', ...h]);
    expect(invite.code).toBe(0);
    expect(invite.stdout).toMatch(/^hm1\.[A-Za-z0-9_-]+\n$/);
    expect(invite.stderr).toMatch(/single use, expires/);
    const joiner = tmpHome('mh-new-j-');
    try {
      const joined = await mesh(['join', invite.stdout.trim(), '--home', joiner.dir]);
      expect(joined.code, joined.stderr).toBe(0);
    } finally {
      joiner.cleanup();
    }
  });

  it('answers every error in one `mesh:` line, in CLI words', async () => {
    const bogus = await mesh(['bogus', ...h]);
    expect(bogus.code).not.toBe(0);
    expect(bogus.stderr).toMatch(/^mesh: unknown command 'bogus'.*\n$/);
    const limit = await mesh(['search', 'x', '--limit', 'abc', ...h]);
    expect(limit.code).not.toBe(0);
    expect(limit.stderr).toMatch(/^mesh: .*--limit.*whole number.*"abc".*\n$/);
    expect(limit.stderr).not.toMatch(/null/);

    const dep = (await mesh(['task', 'create', 'build the image', ...h])).stdout.trim();
    const task = (await mesh(['task', 'create', 'deploy it', '--depends-on', dep, ...h])).stdout.trim();
    const blocked = await mesh(['task', 'move', task, 'in_progress', ...h]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^mesh: .*--force.*\n$/);
    expect(blocked.stderr).not.toMatch(/force: true/);
    const nothing = await mesh(['update', dep, ...h]);
    expect(nothing.stderr).toMatch(/^mesh: nothing to update: .*--content/);
    for (const r of [bogus, limit, blocked, nothing]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('accepts a unique id prefix everywhere, and refuses an ambiguous one with the candidates', async () => {
    const id = (await mesh(['store', 'the build cache lives on nfs-3', ...h])).stdout.trim();
    expect((await mesh(['get', id.slice(0, 8), ...h, '--json'])).stdout).toContain(id);
    expect(json<{ project: string }>(await mesh(['update', id.slice(0, 8), '--project', 'ci', ...h, '--json'])).project).toBe('ci');
    expect((await mesh(['rm', id.slice(0, 6), ...h])).code).toBe(0);
    expect(json<{ deleted: boolean }>(await mesh(['recover', id.slice(0, 6), ...h, '--json'])).deleted).toBe(false);
    expect((await mesh(['doc', id.slice(0, 8), '--history', ...h])).stdout).toMatch(/recover/);

    const task = (await mesh(['task', 'create', 'rotate the keys', ...h])).stdout.trim();
    expect((await mesh(['task', 'show', task.slice(0, 8), ...h])).stdout).toContain(`id: ${task}`);
    expect((await mesh(['task', 'move', task.slice(0, 8), 'review', ...h])).code).toBe(0);

    // Two notes whose (content-derived) ids share their first 4 characters, found by counting up.
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const content = `note number ${i}`;
      const prefix = noteId({ content, category: 'project' }).slice(0, 4);
      const other = seen.get(prefix);
      if (other) pair = [other, content];
      else seen.set(prefix, content);
    }
    const file = join(home.dir, 'pair.jsonl');
    writeFileSync(file, pair.map((content) => JSON.stringify({ content, category: 'project' })).join('\n') + '\n');
    expect(json<{ created: number }>(await mesh(['import', file, ...h, '--json'])).created).toBe(2);
    const [a, b] = pair.map((content) => noteId({ content, category: 'project' }));
    const ambiguous = await mesh(['get', a!.slice(0, 4), ...h]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^mesh: memory id ".{4}" is ambiguous/);
    expect(ambiguous.stderr).toContain(a!);
    expect(ambiguous.stderr).toContain(b!);
    const common = [...a!].findIndex((c, i) => c !== b![i]);
    expect((await mesh(['get', a!.slice(0, common + 1), ...h, '--json'])).stdout).toContain(a!);
  });

  it('search results carry evidence and scores that read sensibly', async () => {
    for (let i = 10; i < 20; i++) await mesh(['store', `svc-${i} handles the payment queue on host app${i}`, ...h]);
    const keyword = json<{ results: Result[] }>(await mesh(['search', 'svc-17', '--mode', 'keyword', ...h, '--json'])).results;
    expect(keyword.map((r) => r.content)).toEqual(['svc-17 handles the payment queue on host app17']);
    // A lone exact match is the best match there is, not 0.000005.
    expect(keyword[0]!.score).toBe(1);
    const words = json<{ results: Result[] }>(await mesh(['search', 'payment nfs-3', '--mode', 'keyword', '--limit', '20', ...h, '--json'])).results;
    expect(words.length).toBe(11);
    for (const r of words) {
      expect(r.content.includes('payment') || r.content.includes('nfs-3'), r.content).toBe(true);
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }

    // The only match is soft-deleted: hybrid answers nothing rather than strangers.
    const gone = (await mesh(['store', 'zq-7781 decommissioned last spring', ...h])).stdout.trim();
    await mesh(['rm', gone, ...h]);
    await eventually(async () => json<{ search: { loaded: boolean } }>(await mesh(['status', ...h, '--json'])).search.loaded, 'the embedding model');
    expect(json<{ results: Result[] }>(await mesh(['search', 'zq-7781', ...h, '--json'])).results).toEqual([]);
    const semantic = json<{ results: Result[] }>(await mesh(['search', 'kafka broker disk full', '--mode', 'semantic', '--limit', '50', ...h, '--json'])).results;
    for (const r of semantic) expect(r.score).toBeGreaterThan(0);
  });

  it('export names the home; import takes plain notes and Markdown, once', async () => {
    const exported = await mesh(['export', ...h]);
    expect(json<{ machine: string }>({ stdout: exported.stdout.split('\n')[0]!, stderr: '' }).machine).toBe('nc-host');

    const notes = join(home.dir, 'notes.jsonl');
    writeFileSync(notes, [{ content: 'grafana lives at grafana.internal:3000', category: 'monitoring', tags: ['grafana'] }, { content: 'on-call rotates on mondays', category: 'project', project: 'ops' }].map((n) => JSON.stringify(n)).join('\n') + '\n');
    const md = join(home.dir, 'runbook.md');
    writeFileSync(md, '# Runbook\n\n## Restart the queue\nsystemctl restart rabbitmq-server\n\n## Drain a node\nkubectl drain node-7 --ignore-daemonsets\n');
    expect(json(await mesh(['import', notes, md, '--tags', 'imported', ...h, '--json']))).toMatchObject({ created: 4, exists: 0, invalid: 0 });
    expect(json(await mesh(['import', notes, md, '--tags', 'imported', ...h, '--json']))).toMatchObject({ created: 0, exists: 4 });
    const found = json<{ results: (Result & { tags: string[]; context: string; machine: string })[] }>(await mesh(['search', 'kubectl drain', '--mode', 'keyword', ...h, '--json'])).results;
    expect(found[0]).toMatchObject({ content: expect.stringMatching(/^## Drain a node\n/) as unknown, tags: ['imported'], machine: 'nc-host' });
  });

  it('registers a person as an agent a task can be assigned to; status and peers read as words', async () => {
    const reg = await mesh(['agent', 'register', '--role', 'reviewer', '--capabilities', 'postgres', ...h]);
    expect(reg.code, reg.stderr).toBe(0);
    const agent = reg.stdout.trim();
    expect(agent).toMatch(/^reviewer-/);
    const task = (await mesh(['task', 'create', 'review the migration', ...h])).stdout.trim();
    expect((await mesh(['task', 'assign', task.slice(0, 8), agent, ...h])).code).toBe(0);
    expect(json<{ assignee: string }>(await mesh(['task', 'show', task, ...h, '--json'])).assignee).toBe(agent);
    expect(json<{ agent: { id: string } }>(await mesh(['agent', 'register', '--role', 'reviewer', ...h, '--json'])).agent.id).toBe(agent);

    const status = await mesh(['status', ...h]);
    expect(status.stdout).toMatch(/^nc-host \(/);
    expect(status.stdout).not.toMatch(/[{}[\]]/);
    expect((await mesh(['peers', ...h])).stderr).toMatch(/legend: \* this host, \+ connected, - not connected/);
    expect((await mesh(['board', ...h])).stderr).toMatch(/legend: !! critical/);
  });

  it('advertises and accepts only the tool groups this build has', async () => {
    const client = await mcpClient(home.dir);
    try {
      const tools = (await client.listTools()).tools;
      const description = tools.find((t) => t.name === 'enable_tool_group')!.description!;
      const advertised = /groups: ([^)]*)\)/.exec(description)![1]!.split(', ');
      // Every group of the contract is built now; an unknown name is still refused with the list.
      expect(advertised).toEqual(expect.arrayContaining(['agents', 'kanban', 'vault', 'teams', 'devops', 'lifecycle']));
      for (const group of ['bogus']) {
        const r = await callTool(client, 'enable_tool_group', { group });
        expect(r.isError).toBe(true);
        expect(errorText(r)).toMatch(new RegExp(`^INVALID_INPUT: .*"${group}".*available: core, ${advertised.join(', ')}$`));
      }
      for (const group of advertised) {
        const before = (await client.listTools()).tools.length;
        const r = await callTool(client, 'enable_tool_group', { group });
        expect(r.isError, errorText(r)).toBeFalsy();
        expect((await client.listTools()).tools.length).toBeGreaterThan(before);
      }
    } finally {
      await client.close();
    }
    const refused = await mesh(['mcp', ...h], { MESH_TOOLS: 'core,bogus' });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n').filter((l) => l.startsWith('mesh:'))).toEqual([expect.stringMatching(/^mesh: MESH_TOOLS: .*"bogus".*available: core,/)]);
  });
});

describe('a second home on the same machine', () => {
  const a = tmpHome('mh-port-a-');
  const b = tmpHome('mh-port-b-');
  let holder: Server | undefined;
  afterAll(async () => {
    await Promise.all([mesh(['stop', '--home', a.dir]), mesh(['stop', '--home', b.dir])]);
    holder?.close();
    a.cleanup();
    b.cleanup();
  });

  it('gets a free port of its own, or, on a port given and taken, one line with the fix and a failing doctor', { timeout: 120_000 }, async () => {
    // Default listen address (no MESH_P2P_LISTEN): the first home takes 7411 (or a free port when
    // something else holds it), the second finds it taken and records the port it chose.
    const listening = async (dir: string) => json<{ replication: { listen: string[] } }>(await mesh(['status', '--home', dir, '--json'])).replication.listen[0]!;
    for (const dir of [a.dir, b.dir]) expect((await mesh(['store', 'x', '--home', dir], { MESH_P2P_LISTEN: '' })).code).toBe(0);
    const [la, lb] = [await listening(a.dir), await listening(b.dir)];
    const port = (addr: string) => Number(/\/tcp\/(\d+)/.exec(addr)![1]);
    expect(port(la)).not.toBe(port(lb));
    expect(port(lb)).toBeGreaterThan(0);
    if (port(lb) !== 7411) expect(JSON.parse(readFileSync(join(b.dir, 'listen-port.json'), 'utf8'))).toMatchObject({ port: port(lb) });
    await mesh(['stop', '--home', b.dir]);

    // A port given explicitly and held by another program.
    const taken = await freePort();
    holder = createServer().listen(taken, '127.0.0.1');
    await new Promise((resolve) => holder!.once('listening', resolve));
    expect((await mesh(['store', 'y', '--home', b.dir], { MESH_P2P_LISTEN: `/ip4/127.0.0.1/tcp/${taken}` })).code).toBe(0);
    for (const cmd of ['peers', 'invite', 'sync']) {
      const r = await mesh([cmd, '--home', b.dir]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^mesh: replication is not running: port ${taken} on 127.0.0.1 is in use.*--listen.*MESH_P2P_LISTEN.*\\n$`));
    }
    expect((await mesh(['status', '--home', b.dir])).stdout).toMatch(new RegExp(`replication: NOT RUNNING: port ${taken}`));
    const doctor = await mesh(['doctor', '--home', b.dir]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL {2}replication: .*in use/);
  });
});

describe('joining with an invite that was already used', () => {
  const homes = [tmpHome('mh-inv-a-'), tmpHome('mh-inv-b-'), tmpHome('mh-inv-c-')];
  const [a, b, c] = homes.map((x) => x.dir) as [string, string, string];
  afterAll(async () => {
    await Promise.all(homes.map((x) => mesh(['stop', '--home', x.dir])));
    for (const x of homes) x.cleanup();
  });

  it('ends the join with one clear error, then stops trying', { timeout: 120_000 }, async () => {
    await mesh(['init', '--home', a, '--name', 'inviter']);
    const token = (await mesh(['invite', '--home', a])).stdout.trim();
    expect((await mesh(['join', token, '--home', b])).code).toBe(0);
    expect((await mesh(['sync', '--home', b])).code).toBe(0);
    expect((await mesh(['join', token, '--home', c])).code).toBe(0);

    // `mesh sync` on the third home waits for the join, which the inviter no longer accepts.
    const sync = await mesh(['sync', '--home', c]);
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toMatch(/^mesh: .*(already used|refused).*ask a member for a new invite \(mesh invite\).*\n$/);
    const status = json<{ replication: { joining: { gave_up: boolean; error: string } } }>(await mesh(['status', '--home', c, '--json']));
    expect(status.replication.joining.gave_up).toBe(true);
    const log = readFileSync(join(c, 'logs', 'daemon.log'), 'utf8').split('\n');
    expect(log.filter((l) => l.includes('joining the mesh failed for good'))).toHaveLength(1);
    expect(log.filter((l) => l.includes('joining the mesh failed; will retry')).length).toBeLessThanOrEqual(2);
  });
});

describe('npm start', () => {
  const home = tmpHome('mh-npm-');
  afterAll(() => home.cleanup());

  it('stops the daemon when npm is sent SIGTERM', { timeout: 60_000 }, async () => {
    const npm = spawn('npm', ['start', '--silent'], { cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, MESH_HOME: home.dir, MESH_P2P_LISTEN: '/ip4/127.0.0.1/tcp/0', MESH_NO_DISCOVERY: '1', MESH_LOG: 'warn' }, stdio: 'ignore' });
    const pidFile = join(home.dir, 'daemon.pid');
    const pid = await eventually(() => Promise.resolve(existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim())), 'the daemon to start');
    npm.kill('SIGTERM');
    await waitForExit(pid);
    expect(existsSync(pidFile)).toBe(false);
  });
});
