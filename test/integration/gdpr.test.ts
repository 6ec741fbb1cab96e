import { readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, callTool, errorText, mcpClient } from '../helpers/cli.js';
import { callDaemon, eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';
import { filesContaining } from '../helpers/tmpHome.js';

describe('GDPR export and erasure of one person\'s data, on two hosts', () => {
  let a: TestHost;
  let b: TestHost;
  let client: Client;

  beforeAll(async () => {
    a = await TestHost.create('alpha');
    b = await TestHost.create('bravo');
    await a.start();
    await joinMesh(a, b);
    client = await mcpClient(a.home.dir, 'dpo-session', { MESH_TOOLS: 'core,lifecycle' });
  });
  afterAll(async () => {
    await client.close();
    await Promise.all([a, b].map((h) => h.dispose()));
  });

  it('exports what alice wrote to a file, then erases it on both hosts: no file on either holds her token', async () => {
    const token = `zqalice${Date.now().toString(36)}`;
    const alice = { agent: 'mesh-cli:alice' };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await callDaemon(a, 'memory.store', { content: `${token} note ${i}: alice's home address is 12 Elm St`, project: 'hr' }, alice)).id);
    // One of hers written on bravo, and one soft-deleted: both are hers too.
    ids.push((await callDaemon(b, 'memory.store', { content: `${token} from bravo`, project: 'hr' }, alice)).id);
    await callDaemon(a, 'memory.delete', { memory_id: ids[0]! }, alice);
    const bobs = (await callDaemon(a, 'memory.store', { content: 'bob keeps this zqbobkeeps', project: 'hr' }, { agent: 'mesh-cli:bob' })).id;
    await eventually(async () => (await a.search(`${token} from bravo`)).some((r) => r.id === ids[3]), 'bravo memory on alpha');
    await eventually(async () => (await b.search(`${token} note 2`)).some((r) => r.id === ids[2]), 'alpha memories on bravo');

    const exported = await callOk<{ path: string; memories: number; tasks: number }>(client, 'gdpr_export_user_data', { subject: { agent: 'mesh-cli:alice' } });
    expect(exported.memories).toBe(4);
    const file = JSON.parse(readFileSync(exported.path, 'utf8')) as { subject: unknown; memories: { id: string; agent: string }[] };
    expect(file.memories.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(file.memories.every((m) => m.agent === 'mesh-cli:alice')).toBe(true);

    const dry = await callOk<{ dry_run: boolean; memories: number; tasks: number }>(client, 'gdpr_delete_user_data', { subject: { agent: 'mesh-cli:alice' } });
    expect(dry).toMatchObject({ dry_run: true, memories: 4, tasks: 0 });
    expect(errorText(await callTool(client, 'gdpr_delete_user_data', { subject: { agent: 'mesh-cli:alice' }, confirm: true, expected_count: 3 }))).toMatch(/^CONFIRMATION_REQUIRED/);
    const erased = await callOk<{ erased_memories: number; hosts: { host: string; connected: boolean }[] }>(client, 'gdpr_delete_user_data', { subject: { agent: 'mesh-cli:alice' }, confirm: true, expected_count: 4 });
    expect(erased.erased_memories).toBe(4);
    expect(erased.hosts).toEqual([{ host: 'bravo', connected: true }]);

    // The export is the person's copy: it is handed over, then removed like anything else holding the data.
    const { rm } = await import('node:fs/promises');
    await rm(exported.path);
    await eventually(async () => (await filesContaining(a.home.dir, token)).length === 0 && (await filesContaining(b.home.dir, token)).length === 0, 'token gone from both homes', 60_000);
    expect((await b.cli(['get', bobs])).code).toBe(0);
  });
});
