import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { callTool, errorText, mcpClient, mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

/**
 * Issue 12 (modes): every write asks the session's mode first. When that first look-up fails (the
 * daemon could not start), the session must ask again on its next write, not fail every write
 * until it ends.
 */
describe('a session whose first mode look-up failed', () => {
  const home = tmpHome('mh-moderetry-');
  let client: Client | undefined;
  afterAll(async () => {
    await client?.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('writes once the daemon can start', async () => {
    expect((await mesh(['init', '--home', home.dir])).code).toBe(0);
    const configPath = join(home.dir, 'config.json');
    writeFileSync(configPath, '{ "not": "a valid config", "mode": 7 }');
    client = await mcpClient(home.dir, 'mode-retry');
    const first = await callTool(client, 'store_memory', { content: 'first write zqmoderetry' });
    expect(first.isError, errorText(first)).toBe(true);
    rmSync(configPath); // a home without config.json starts with the defaults
    const second = await callTool(client, 'store_memory', { content: 'second write zqmoderetry' });
    expect(second.isError, errorText(second)).toBeFalsy();
    expect(second.structuredContent).toMatchObject({ write_scope: 'mesh', mode: 'mesh' });
  }, 120_000);
});
