import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, callTool, errorText, mcpClient } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Related { id: string; why: string }
interface Incident { id: string; title: string; status: string; affected_systems: string[]; related: Related[]; time_to_resolve_minutes: number | null; machine: string; opened_at: string }
interface Project { id: string; name: string; description: string; systems: string[]; merged: string[] }
interface Correlation { id: string; kind: string; why: string; systems: string[]; error_tokens: string[] }

const TOOLS = { MESH_TOOLS: 'devops' };

/** Incidents on two real daemons through `mesh mcp` sessions: correlation, links both ways, the same-outage rule after a partition. */
describe('devops incidents across hosts', () => {
  let a: TestHost;
  let b: TestHost;
  let clients: Client[] = [];
  const session = async (h: TestHost) => {
    const c = await mcpClient(h.home.dir, `claude-${h.name}`, TOOLS);
    clients.push(c);
    return c;
  };
  const closeSessions = async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    clients = [];
  };
  const list = async (c: Client, args: Record<string, unknown> = {}) => (await callOk<{ incidents: Incident[] }>(c, 'list_incidents', args)).incidents;

  beforeAll(async () => {
    a = await TestHost.create('elastic3');
    b = await TestHost.create('proxy-ops');
    await a.start();
    await joinMesh(a, b);
  }, 180_000);

  afterAll(async () => {
    await closeSessions();
    await Promise.all([a, b].map((h) => h?.dispose()));
  });

  it("an incident recorded on A finds B's similar past incident with reasons, linked both ways, and resolves with a time", async () => {
    const onA = await session(a);
    const onB = await session(b);
    const past = await callOk<{ incident: Incident }>(onB, 'record_incident', {
      title: 'proxy2 upstream refused',
      description: 'nginx on proxy2 returned 502 to clients; upstream connect() failed with ECONNREFUSED after the backend pool was drained',
      severity: 'high',
      affected_systems: ['proxy2', 'nginx'],
      resolution: 'restarted the backend pool and raised worker_connections',
    });
    expect(past.incident.status).toBe('resolved');
    const runbook = await callOk<{ id: string }>(onB, 'store_memory', {
      category: 'runbooks',
      content: 'Runbook: upstream ECONNREFUSED behind a proxy. Drain and restart the backend pool, then check worker_connections.',
      metadata: { systems: ['proxy2'] },
    });
    await eventually(async () => (await list(onA)).some((i) => i.id === past.incident.id), "B's incident on A");
    await eventually(async () => !(await callTool(onA, 'retrieve_memory', { memory_id: runbook.id })).isError, "B's runbook on A");

    const now = await callOk<{ incident: Incident; correlations: Correlation[] }>(onA, 'record_incident', {
      title: 'elastic3 ingest behind proxy2 failing',
      description: 'ingest through proxy2 gets 502 responses, logs show ECONNREFUSED from upstream backend',
      affected_systems: ['elastic3', 'proxy2'],
    });
    const match = now.correlations.find((c) => c.id === past.incident.id);
    expect(match, JSON.stringify(now.correlations)).toBeDefined();
    expect(match?.systems).toContain('proxy2');
    expect(match?.error_tokens).toEqual(expect.arrayContaining(['econnrefused', '502']));
    expect(match?.why).toContain('shares systems proxy2');
    expect(now.incident.related.map((r) => r.id)).toContain(past.incident.id);
    expect(now.correlations.find((c) => c.id === runbook.id)).toMatchObject({ kind: 'runbook', systems: ['proxy2'], error_tokens: ['econnrefused'] });
    // The other direction, seen on B once it replicates.
    await eventually(async () => (await list(onB)).find((i) => i.id === past.incident.id)?.related.some((r) => r.id === now.incident.id), 'link back on B');

    const refused = await callTool(onA, 'update_incident', { incident_id: now.incident.id, status: 'resolved' });
    expect(refused.isError).toBe(true);
    expect(errorText(refused)).toMatch(/^INVALID_INPUT/);
    const resolved = await callOk<Incident>(onA, 'update_incident', { incident_id: now.incident.id, status: 'resolved', resolution: 'same fix as before' });
    expect(resolved.status).toBe('resolved');
    expect(resolved.time_to_resolve_minutes).toBeGreaterThanOrEqual(0);
    expect((await list(onA, { status: 'unresolved' })).map((i) => i.id)).not.toContain(now.incident.id);
    expect((await list(onA, { system: 'ELASTIC3' })).map((i) => i.id)).toEqual([now.incident.id]);
    expect((await list(onA, { severity: 'high' })).map((i) => i.id)).toEqual([past.incident.id]);
    expect((await list(onA, { until: now.incident.opened_at })).map((i) => i.id)).toEqual([past.incident.id]);
    expect((await list(onA, { since: now.incident.opened_at })).map((i) => i.id)).toEqual([now.incident.id]);

    // The CLI for people on call: the same records, a table line each, JSON with --json.
    const ls = await a.cli(['incident', 'ls', '--json', '--system', 'proxy2']);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { incidents: Incident[] }).incidents.map((i) => i.id).sort()).toEqual([past.incident.id, now.incident.id].sort());
    const table = await a.cli(['incident', 'ls', '--severity', 'high', '--until', now.incident.opened_at]);
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID +SEVERITY +STATUS +SYSTEMS +OPENED \(UTC\) +HOST +LINKS +TITLE$/);
    expect(rows.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${past.incident.id} +high +resolved +nginx,proxy2 +\\S+ \\S+ +proxy-ops +1 +proxy2 upstream refused$`))]);
    const show = await a.cli(['incident', 'show', past.incident.id.slice(0, 12)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('Resolution: restarted the backend pool');
    expect(show.stdout).toContain(now.incident.id);
    const bad = await a.cli(['incident', 'ls', '--severity', 'apocalyptic']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/severity/);
    await closeSessions();
  }, 120_000);

  it('two hosts recording the same outage while apart see both records linked after they heal', async () => {
    const outage = { affected_systems: ['db-2'], severity: 'critical' };
    await b.stop();
    const onA = await session(a);
    const fromA = (await callOk<{ incident: Incident }>(onA, 'record_incident', { ...outage, title: 'db-2 down', description: 'replication lag alarms then no answer' })).incident;
    const projectA = (await callOk<{ project: Project }>(onA, 'create_project', { name: 'edge', systems: ['db-2'] })).project;
    await closeSessions();
    await a.stop();
    await b.start();
    const onB = await session(b);
    const fromB = await callOk<{ incident: Incident; correlations: Correlation[] }>(onB, 'record_incident', { ...outage, title: 'postgres primary unreachable', description: 'queries hang on the primary' });
    expect(fromB.correlations.map((c) => c.id)).not.toContain(fromA.id); // genuinely apart
    const projectB = (await callOk<{ project: Project }>(onB, 'create_project', { name: 'EDGE', systems: ['cdn1'], description: 'edge caches' })).project;
    await a.start();
    const onA2 = await session(a);
    const linked = await eventually(async () => (await list(onA2)).find((i) => i.id === fromA.id && i.related.some((r) => r.id === fromB.incident.id)), 'rule link on A', 60_000);
    expect(linked.related.find((r) => r.id === fromB.incident.id)?.why).toMatch(/same outage: db-2/);
    const onBView = await eventually(async () => (await list(onB)).find((i) => i.id === fromB.incident.id && i.related.some((r) => r.id === fromA.id)), 'rule link on B', 60_000);
    expect(onBView).toBeDefined();
    // The same project name created on both while apart: one project everywhere, the earliest record its id, systems the union.
    for (const c of [onA2, onB]) {
      const merged = await eventually(async () => (await callOk<{ projects: Project[] }>(c, 'list_projects', {})).projects.find((p) => p.merged.length > 0), 'merged project', 60_000);
      expect(merged).toEqual({ ...projectA, systems: ['cdn1', 'db-2'], description: 'edge caches', merged: [projectB.id] });
      expect((await callOk<{ projects: Project[] }>(c, 'list_projects', {})).projects.map((p) => p.name)).toEqual(['edge']);
    }
  }, 180_000);
});
