/**
 * The session-start briefing of a small sample home, printed verbatim: what issue 14's closing
 * note quotes. A fresh home gets one of each thing a briefing shows (an open incident and a
 * resolved one, a health issue, a task assigned to this host's agent and a claimable one, a
 * broadcast, project memories, a vault), then `mesh hook session-start` runs as Claude Code runs
 * it, with SessionStart JSON on stdin.
 *
 *   npm run build && node --import tsx scripts/sample-briefing.ts
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { callOk, MESH_BIN, mcpClient, mesh, TEST_ENV } from '../test/helpers/cli.js';
import { tmpHome } from '../test/helpers/tmpHome.js';

const HOOK_MAIN = join(MESH_BIN, '..', 'hookMain.js');

function hook(home: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOOK_MAIN, 'session-start', '--home', home], { env: { ...process.env, ...TEST_ENV } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(JSON.stringify(input));
  });
}

const home = tmpHome('mh-sample-');
try {
  await mesh(['init', '--home', home.dir, '--name', 'laptop-a']);
  const c = await mcpClient(home.dir, 'claude-code', { MESH_TOOLS: 'all' });
  try {
    const { agent } = await callOk<{ agent: { id: string } }>(c, 'register_agent', { role: 'ops', capabilities: ['nginx', 'postgres'] });
    await callOk(c, 'record_incident', {
      title: 'checkout 502s on proxy-eu1',
      description: 'upstream prematurely closed connection after the nginx reload at 09:12',
      severity: 'high',
      affected_systems: ['proxy-eu1'],
      project: 'webshop',
    });
    const old = await callOk<{ incident: { id: string } }>(c, 'record_incident', { title: 'cache-1 evictions', description: 'evictions spiking', affected_systems: ['cache-1'], project: 'webshop' });
    await callOk(c, 'update_incident', { incident_id: old.incident.id, status: 'resolved', resolution: 'maxmemory raised to 4 GB' });
    await mesh(['record', 'issue', 'disk /var at 91 %', '--severity', 'medium', '--detail', 'journal and old images', '--home', home.dir]);
    await callOk(c, 'create_kanban_task', { title: 'rotate the staging TLS certificate', project: 'webshop', priority: 'high', assignee: agent.id });
    await callOk(c, 'create_kanban_task', { title: 'add a readiness probe to the payments service', project: 'webshop' });
    await callOk(c, 'broadcast_discovery', { message: 'registry mirror moved to registry-2.internal; update your .npmrc', severity: 'warning' });
    await callOk(c, 'store_memory', { content: 'webshop deploys go through `make deploy ENV=staging`; production needs a second approver in #deploys', project: 'webshop' });
    await callOk(c, 'store_memory', { content: 'The payments sandbox rejects amounts above 999.99 EUR with PAY-4031: use 10.00 in tests', project: 'webshop', category: 'conversation' });
    await callOk(c, 'create_vault', { name: 'webshop-prod', type: 'project' });
    await callOk(c, 'store_in_vault', { vault: 'webshop-prod', name: 'db-password', value: 'sample-value-never-shown-1' });
    await callOk(c, 'store_in_vault', { vault: 'webshop-prod', name: 'stripe-api-key', value: 'sample-value-never-shown-2' });
  } finally {
    await c.close();
  }
  const text = await hook(home.dir, { session_id: 'sample', transcript_path: '/none.jsonl', cwd: '/home/dev/webshop', hook_event_name: 'SessionStart', source: 'startup' });
  process.stdout.write(`${text}(${text.trimEnd().length} characters)\n`);
} finally {
  await mesh(['stop', '--home', home.dir]);
  home.cleanup();
}
