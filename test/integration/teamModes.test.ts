import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, callTool, errorText, mcpClient, mesh } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';
import { tmpHome } from '../helpers/tmpHome.js';

const AWS_KEY = 'AKIAZ7QPLMNB4VCX2ERT';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const st = statSync(path);
    return st.isDirectory() ? filesUnder(path) : st.isFile() ? [path] : [];
  });
}

/**
 * Issue 12: session modes and the teams tools through a real MCP SDK client over stdio, on three
 * daemons: alpha (the session's host) and bravo in team ops, charlie in no team.
 */
describe('modes and teams tools over MCP', () => {
  const hosts: TestHost[] = [];
  let a: TestHost;
  let b: TestHost;
  let c: TestHost;
  let client: Client;

  beforeAll(async () => {
    a = await TestHost.create('alpha');
    b = await TestHost.create('bravo');
    c = await TestHost.create('charlie');
    hosts.push(a, b, c);
    await a.start();
    await joinMesh(a, b);
    await joinMesh(a, c);
    client = await mcpClient(a.home.dir, 'modes-test', { MESH_TOOLS: 'core,teams' });
  }, 240_000);
  afterAll(async () => {
    await client?.close();
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  /** A mesh memory stored on alpha after `step`, seen on bravo and charlie: what alpha sent before has arrived. */
  async function barrier(step: string): Promise<void> {
    const tag = `zqmodebarrier${step}`;
    const id = await a.store(`barrier ${tag}`);
    for (const h of [b, c]) await eventually(async () => (await h.search(tag)).some((r) => r.id === id), `barrier ${step} on ${h.name}`, 60_000);
  }

  it('creates a team and manages its members with the team tools', async () => {
    const bravo = await b.peerId();
    const created = await callOk<{ team: string; my_role: string }>(client, 'create_team', { team: 'ops' });
    expect(created).toMatchObject({ team: 'ops', my_role: 'owner' });
    const added = await callOk<{ members: { name: string; role: string }[] }>(client, 'add_team_member', { team: 'ops', member: bravo });
    expect(added.members.map((m) => [m.name, m.role])).toEqual([['alpha', 'owner'], ['bravo', 'member']]);
    const guest = await callOk<{ members: { name: string; role: string; expires_at: string | null }[] }>(client, 'add_team_member', { team: 'ops', member: 'charlie', role: 'guest' });
    expect(guest.members.find((m) => m.name === 'charlie')?.expires_at).toBeTruthy();
    const removed = await callOk<{ removed: string }>(client, 'remove_team_member', { team: 'ops', member: 'charlie' });
    expect(removed.removed).toBe(await c.peerId());
    expect((await callOk<{ teams: { team: string }[] }>(client, 'list_teams')).teams.map((t) => t.team)).toEqual(['ops']);
    const bad = await callTool(client, 'add_team_member', { team: 'ops', member: bravo, role: 'member', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(errorText(bad)).toMatch(/^INVALID_INPUT: expires_at is for guests only/);
    // bravo sees the team with its roles (the grants replicate as signed operations).
    await eventually(async () => (await b.json<{ my_role: string | null }>(['team', 'show', 'ops'])).my_role === 'member', 'bravo to see itself in ops', 60_000);
  });

  it('lists the modes and starts in the home\'s default (mesh)', async () => {
    const modes = await callOk<{ modes: { mode: string }[]; current: string }>(client, 'list_available_modes');
    expect(modes.modes.map((m) => m.mode)).toEqual(['mesh', 'solo', 'team', 'vault']);
    expect(modes.current).toBe('mesh');
    expect(await callOk(client, 'get_mode')).toEqual({ mode: 'mesh' });
  });

  it('team mode: a write goes to the team\'s hosts only, and says so', async () => {
    expect(await callOk(client, 'set_mode', { mode: 'team' })).toEqual({ mode: 'team', team: 'ops', write_scope: 'session' });
    const r = await callTool(client, 'store_memory', { content: 'team mode note zqteammode' });
    expect(r.isError, errorText(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ scope: 'team', team: 'ops', mode: 'team' });
    expect(errorText(r)).toMatch(/with scope team \(team ops\), in team mode/);
    const id = (r.structuredContent as { id: string }).id;
    await eventually(async () => (await b.search('zqteammode')).some((m) => m.id === id), 'the team write on bravo', 60_000);
    await barrier('team');
    expect(await c.search('zqteammode')).toEqual([]);
    expect((await c.cli(['get', id])).code).toBe(3);
    const wider = await callTool(client, 'store_memory', { content: 'asked wider zqteamwider', scope: 'mesh' });
    expect(errorText(wider)).toMatch(/^MODE_CONFLICT: /);
    const activity = await callOk<{ writes: { id: string }[] }>(client, 'get_team_activity', { team: 'ops' });
    expect(activity.writes.map((w) => w.id)).toContain(id);
  });

  it('solo mode: a write stays on this host; an edit of a shared memory is refused', async () => {
    const shared = await a.store('shared before solo zqsharedsolo');
    expect(await callOk(client, 'set_mode', { mode: 'solo' })).toEqual({ mode: 'solo', write_scope: 'session' });
    const r = await callTool(client, 'store_memory', { content: 'solo mode note zqsolomode' });
    expect(r.structuredContent).toMatchObject({ scope: 'private', mode: 'solo' });
    const id = (r.structuredContent as { id: string }).id;
    await barrier('solo');
    for (const h of [b, c]) expect((await h.cli(['get', id])).code).toBe(3);
    expect(errorText(await callTool(client, 'update_memory', { memory_id: shared, content: 'edited in solo' }))).toMatch(/^MODE_CONFLICT: /);
    expect(errorText(await callTool(client, 'store_memory', { content: 'wider in solo', scope: 'team' }))).toMatch(/^MODE_CONFLICT: /);
  });

  it('vault mode keeps a vault context for the session', async () => {
    const r = await callTool(client, 'set_mode', { mode: 'vault', vault: 'infra' });
    expect(r.isError, errorText(r)).toBeFalsy();
    expect(await callOk(client, 'get_mode')).toEqual({ mode: 'vault', vault: 'infra' });
    expect(errorText(await callTool(client, 'set_mode', { mode: 'vault' }))).toMatch(/^INVALID_INPUT: vault mode needs a vault/);
    await callOk(client, 'set_mode', { mode: 'mesh' });
  });

  it('vault mode: the vault tools default to the session\'s vault', async () => {
    const value = `ctx-${randomBytes(12).toString('hex')}`;
    await callOk(client, 'enable_tool_group', { group: 'vault' });
    const created = await callOk<{ id: string; write_scope: string }>(client, 'create_vault', { name: 'ctx-vault' });
    expect(created.write_scope).toBe('vault ctx-vault');
    expect(errorText(await callTool(client, 'store_in_vault', { name: 'ctx-secret', value }))).toMatch(/^INVALID_INPUT: vault: required/);
    await callOk(client, 'set_mode', { mode: 'vault', vault: 'ctx-vault' });
    const put = await callTool(client, 'store_in_vault', { name: 'ctx-secret', value, kind: 'token' });
    expect(put.isError, errorText(put)).toBeFalsy();
    expect(put.structuredContent).toMatchObject({ name: 'ctx-secret', mode: 'vault' });
    expect((await callOk<{ value: string }>(client, 'retrieve_from_vault', { name: 'ctx-secret', audit_reason: 'vault context test' })).value).toBe(value);
    expect((await callOk<{ secrets: { name: string }[] }>(client, 'list_vault_secrets', {})).secrets.map((x) => x.name)).toEqual(['ctx-secret']);
    const audit = await callOk<{ entries: { vault: string; secret?: string; action: string }[] }>(client, 'vault_audit_log', {});
    expect(audit.entries.some((e) => e.secret === 'ctx-secret' && e.action === 'read')).toBe(true);
    expect(new Set(audit.entries.map((e) => e.vault)).size).toBe(1);
    await callOk(client, 'set_mode', { mode: 'mesh' });
  });

  it('solo and team mode refuse the writes they cannot narrow (tasks, vaults); every write result says the scope it got', async () => {
    await callOk(client, 'enable_tool_group', { group: 'kanban' });
    const meshTask = await callTool(client, 'create_kanban_task', { title: 'mesh task zqmeshtask' });
    expect(meshTask.isError, errorText(meshTask)).toBeFalsy();
    expect(meshTask.structuredContent).toMatchObject({ write_scope: 'mesh', mode: 'mesh' });
    expect(errorText(meshTask)).toContain('[write scope: mesh; session mode: mesh]');

    await callOk(client, 'set_mode', { mode: 'solo' });
    expect(errorText(await callTool(client, 'create_kanban_task', { title: 'solo task zqsolotask' }))).toMatch(/^MODE_CONFLICT: create_kanban_task writes documents every host of the mesh holds; this session is in solo mode/);
    expect(errorText(await callTool(client, 'create_vault', { name: 'solo-vault' }))).toMatch(/^MODE_CONFLICT: create_vault writes a vault document/);
    const mine = await callOk<{ id: string; write_scope: string }>(client, 'store_memory', { content: 'solo scope note zqsoloscope' });
    expect(mine.write_scope).toBe('private');
    expect((await callOk<{ write_scope: string }>(client, 'delete_memory', { memory_id: mine.id })).write_scope).toBe('private');
    expect((await callOk<{ write_scope: string }>(client, 'recover_deleted_memory', { memory_id: mine.id })).write_scope).toBe('private');

    await callOk(client, 'set_mode', { mode: 'team' });
    expect(errorText(await callTool(client, 'create_kanban_task', { title: 'team task zqteamtask' }))).toMatch(/^MODE_CONFLICT: .*this session is in team mode: its writes stay in team ops/);
    expect((await callOk<{ write_scope: string }>(client, 'store_memory', { content: 'team scope note zqteamscope' })).write_scope).toBe('team ops');
    await callOk(client, 'set_mode', { mode: 'mesh' });
    const titles = (await callOk<{ tasks: { title: string }[] }>(client, 'list_kanban_tasks', {})).tasks.map((t) => t.title);
    expect(titles).toContain('mesh task zqmeshtask');
    expect(titles.filter((t) => /zq(solo|team)task/.test(t))).toEqual([]);
  });

  it('store_memory refuses an AWS-style key with a pointer to the vault, and stores it with allow_secret', async () => {
    const text = `ci deploy user key ${AWS_KEY} zqawskey`;
    const refused = await callTool(client, 'store_memory', { content: text });
    expect(refused.isError).toBe(true);
    expect(errorText(refused)).toMatch(/^SECRET_DETECTED: content looks like it holds a secret: aws access key at characters 19-39\. Secrets belong in a vault/);
    expect(errorText(refused)).not.toContain(AWS_KEY);
    const updRefused = await callTool(client, 'update_memory', { memory_id: await a.store('plain note zqplainupd'), content: text });
    expect(errorText(updRefused)).toMatch(/^SECRET_DETECTED: /);
    const cli = await a.cli(['store', text]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/SECRET_DETECTED|looks like it holds a secret/);
    expect(cli.stderr).not.toContain(AWS_KEY);
    // Nothing of the refused value reached any file of the home (logs included).
    for (const file of filesUnder(a.home.dir)) expect(readFileSync(file).includes(AWS_KEY), file).toBe(false);
    expect(a.log).not.toContain(AWS_KEY);

    const stored = await callTool(client, 'store_memory', { content: text, allow_secret: true });
    expect(stored.isError, errorText(stored)).toBeFalsy();
    expect((await a.json<{ content: string }>(['get', (stored.structuredContent as { id: string }).id])).content).toBe(text);
  });

  it('an invite whose inviter key was substituted is refused by the joiner', async () => {
    const { token, fingerprint } = await a.json<{ token: string; fingerprint: string }>(['invite']);
    const whoami = await a.json<{ signing_fingerprint: string }>(['whoami']);
    expect(fingerprint).toBe(whoami.signing_fingerprint);
    const decoded = JSON.parse(Buffer.from(token.slice(4), 'base64url').toString()) as Record<string, unknown>;
    const mallory = await c.peerId();
    // Swapped inviter (to a key the attacker holds) keeping the fingerprint: refused by the token itself.
    const swapped = `hm1.${Buffer.from(JSON.stringify({ ...decoded, inviter: mallory, addrs: [c.addr] })).toString('base64url')}`;
    // A whole token made for the attacker's key: refused by the fingerprint the joiner was told.
    const { fp: _genuine, ...rest } = decoded;
    const malloryToken = `hm1.${Buffer.from(JSON.stringify({ ...rest, inviter: mallory, addrs: [c.addr] })).toString('base64url')}`;
    const joiner = tmpHome('mh-joiner-');
    try {
      const r1 = await mesh(['join', swapped, '--home', joiner.dir]);
      expect(r1.code).not.toBe(0);
      expect(r1.stderr).toMatch(/does not match the fingerprint it carries/);
      const r2 = await mesh(['join', malloryToken, '--fingerprint', whoami.signing_fingerprint, '--home', joiner.dir]);
      expect(r2.code).not.toBe(0);
      expect(r2.stderr).toMatch(/substituted key/);
      const ok = await mesh(['join', token, '--fingerprint', whoami.signing_fingerprint.replace(/:/g, ' '), '--home', joiner.dir, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ joining: true, inviter_fingerprint: whoami.signing_fingerprint });
    } finally {
      joiner.cleanup();
    }
  });
});
