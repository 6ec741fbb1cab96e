import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectService } from '../../src/devops/ProjectService.js';
import { callOk, callTool, errorText, MESH_BIN, mcpClient, TEST_ENV } from '../helpers/cli.js';
import { callDaemon, eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Version { version: number; machine: string | null; verified_host: string | null; concurrent: boolean }
interface Runbook { id: string; title: string; steps: string[]; systems: string[]; version: number; source_incident: string | null }
interface Issue { id: string; host: string; title: string; status: string; resolved_by: string | null }
interface HostHealth { host: string; last_health: { id: string; checks: { name: string; status: string }[]; findings: string[] } | null; open_issues: Issue[] }
interface Change { machine: string; path: string; from: unknown; to: unknown; text: string }
interface StateRecord { id: string; machine: string; state_type: string; state: Record<string, unknown>; last_seen_at: string; observed_at: string }

const TOOLS = { MESH_TOOLS: 'devops,kanban' };

/** Runs a Claude Code hook command with its event JSON on stdin (as `mesh setup claude` installs it). */
function sessionStart(home: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(MESH_BIN, '..', 'hookMain.js'), 'session-start', '--home', home], { env: { ...process.env, ...TEST_ENV } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    child.stdin.end(JSON.stringify({ session_id: '5a1e0c7d-2b3f-4c9a-8d6e-1f2a3b4c5d6e', transcript_path: '/nonexistent.jsonl', cwd: '/srv', hook_event_name: 'SessionStart', source: 'startup' }));
  });
}

/** Runbooks, playbooks, infrastructure state, health records and projects on two real daemons through `mesh mcp` sessions and the CLI. */
describe('devops records across hosts', () => {
  let a: TestHost;
  let b: TestHost;
  const clients: Client[] = [];
  const session = async (h: TestHost) => {
    const c = await mcpClient(h.home.dir, `claude-${h.name}`, TOOLS);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    a = await TestHost.create('elastic3');
    b = await TestHost.create('db-ops');
    await a.start();
    await joinMesh(a, b);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([a, b].map((h) => h?.dispose()));
  });

  it('a runbook written from a resolved incident on B is edited on A; its versions carry author and host, diff, search, suggestion, erasure', async () => {
    const onA = await session(a);
    const onB = await session(b);
    const inc = await callOk<{ incident: { id: string } }>(onB, 'record_incident', {
      title: 'kafka2 consumer lag',
      description: 'consumers on kafka2 fell behind; broker logs NotLeaderForPartitionException after a disk filled',
      affected_systems: ['kafka2'],
    });
    const unresolved = await callTool(onB, 'generate_runbook', { incident_id: inc.incident.id });
    expect(errorText(unresolved)).toMatch(/^INVALID_INPUT: .*no resolution/);
    await callOk(onB, 'update_incident', { incident_id: inc.incident.id, status: 'resolved', resolution: 'freed disk on kafka2 by deleting old segments, then restarted the broker, then waited for ISR to catch up' });
    const v1 = (await callOk<{ runbook: Runbook }>(onB, 'generate_runbook', { incident_id: inc.incident.id })).runbook;
    expect(v1).toMatchObject({ version: 1, systems: ['kafka2'], source_incident: inc.incident.id });
    expect(v1.steps).toEqual(['freed disk on kafka2 by deleting old segments', 'restarted the broker', 'waited for ISR to catch up']);

    const long = await callTool(onA, 'generate_runbook', { title: 'long', trigger: 't', verification: 'v', steps: Array.from({ length: 10 }, (_, i) => `${i} ${'x'.repeat(1_900)}`) });
    expect(errorText(long)).toMatch(/^INVALID_INPUT: the runbook is \d+ characters; at most 12000/);
    const missing = await callTool(onA, 'generate_runbook', { title: 'only a title' });
    expect(errorText(missing)).toMatch(/^INVALID_INPUT: a runbook needs trigger, steps, verification/);

    await eventually(async () => !(await callTool(onA, 'get_versions', { id: v1.id })).isError, 'the runbook on A');
    const v2 = (await callOk<{ runbook: Runbook }>(onA, 'generate_runbook', { runbook_id: v1.id, steps: [...v1.steps, 'raise log.retention.bytes alerting to 80%'], rollback: 'restore the retention setting' })).runbook;
    expect(v2.version).toBe(2);
    // An edit that leaves the text as it was is no new version (its number would be missing from the list).
    expect((await callOk<{ runbook: Runbook }>(onA, 'generate_runbook', { runbook_id: v1.id, steps: v2.steps })).runbook.version).toBe(2);

    const shown = await callOk<{ versions: Version[] }>(onA, 'get_versions', { id: v1.id });
    expect(shown.versions.map((v) => [v.version, v.verified_host])).toEqual([
      [1, 'db-ops'],
      [2, 'elastic3'],
    ]);
    const diff = await callOk<{ diff: string }>(onA, 'get_versions', { id: v1.id, diff_from: 1 });
    expect(diff.diff).toContain('+4. raise log.retention.bytes alerting to 80%');
    expect(diff.diff).toMatch(/^-Rollback: None recorded/m);
    expect(diff.diff).toContain('+Rollback: restore the retention setting');
    const old = await callOk<{ content: string }>(onA, 'get_versions', { id: v1.id, version: 1 });
    expect(old.content).not.toContain('retention');
    expect(errorText(await callTool(onA, 'get_versions', { id: v1.id, version: 9 }))).toMatch(/^NOT_FOUND/);

    // The CLI for people: the same runbook listed and diffed, JSON with --json.
    const ls = await b.json<{ runbooks: Runbook[] }>(['runbook', 'ls', '--system', 'kafka2']);
    await eventually(async () => (await b.json<{ runbooks: Runbook[] }>(['runbook', 'ls', '--system', 'kafka2'])).runbooks.find((r) => r.id === v1.id && r.version === 2), 'v2 on B');
    expect(ls.runbooks.map((r) => r.id)).toContain(v1.id);
    const cliDiff = await b.cli(['runbook', 'show', v1.id.slice(0, 10), '--diff-from', '1']);
    expect(cliDiff.code, cliDiff.stderr).toBe(0);
    expect(cliDiff.stdout).toContain('+4. raise log.retention.bytes');

    // Searchable like any memory, and suggested by a later similar incident.
    const found = await callOk<{ results: { id: string }[] }>(onA, 'search_memories', { query: 'kafka retention segments', category: 'runbooks' });
    expect(found.results.map((r) => r.id)).toContain(v1.id);
    const later = await callOk<{ correlations: { id: string; kind: string; why: string }[] }>(onA, 'record_incident', {
      title: 'kafka2 lagging again',
      description: 'NotLeaderForPartitionException on kafka2, consumers behind',
      affected_systems: ['kafka2'],
    });
    expect(later.correlations.find((c) => c.id === v1.id)?.kind).toBe('runbook');

    // Erased through the one erase path: versions and all.
    await callOk(onA, 'delete_memory', { memory_id: v1.id, hard_delete: true });
    expect(errorText(await callTool(onA, 'get_versions', { id: v1.id }))).toMatch(/^ERASED/);
  }, 180_000);

  it('record_incident suggests the runbook written for a matching past incident even when the runbook shares no words with the new one', async () => {
    const onA = await session(a);
    const past = await callOk<{ incident: { id: string } }>(onA, 'record_incident', {
      title: 'zk3 sessions expiring',
      description: 'clients logged SessionExpiredException from zk3',
      affected_systems: ['zk3'],
      resolution: 'raised tickTime',
    });
    const rb = await callOk<{ runbook: Runbook }>(onA, 'generate_runbook', {
      incident_id: past.incident.id,
      title: 'Tune quorum timing',
      trigger: 'quorum flaps',
      steps: ['raise tickTime to 4000', 'roll the ensemble'],
      verification: 'no flaps for an hour',
      systems: ['ensemble'],
    });
    const now = await callOk<{ correlations: { id: string; kind: string; why: string }[] }>(onA, 'record_incident', {
      title: 'zk3 clients dropping',
      description: 'SessionExpiredException again from zk3 clients',
      affected_systems: ['zk3'],
    });
    expect(now.correlations.map((c) => c.id)).toContain(past.incident.id);
    const suggested = now.correlations.find((c) => c.id === rb.runbook.id);
    expect(suggested?.kind).toBe('runbook');
    expect(suggested?.why.startsWith(`runbook written for similar incident ${past.incident.id} (`), suggested?.why).toBe(true);
  }, 60_000);

  it('playbooks: YAML refused with line and column, multi-document manifests, Terraform refused at the HCL parser position, secrets refused, versions', async () => {
    const onA = await session(a);
    const broken = await callTool(onA, 'upload_playbook', { name: 'site', type: 'ansible', content: '- hosts: web\n  tasks:\n    - name: x\n     apt: name=nginx\n' });
    expect(broken.isError).toBe(true);
    expect(errorText(broken)).toMatch(/^INVALID_INPUT: YAML error \w+: .*\(line 4, column 1\)$/);

    const ok = await callOk<{ playbook: { id: string; version: number; summary: { items: string[] } } }>(onA, 'upload_playbook', {
      name: 'site',
      type: 'ansible',
      content: '- name: web servers\n  hosts: web\n  tasks:\n    - name: nginx\n      apt: { name: nginx }\n',
      systems: ['proxy2'],
    });
    expect(ok.playbook.summary.items).toEqual(['play web servers on web']);
    // A long playbook: what the check found is cut to fit the record's metadata, the playbook itself is whole.
    const many = Array.from({ length: 150 }, (_, i) => `- name: ${'step '.repeat(40)}${i}\n  command: /bin/true\n`).join('');
    const big = await callOk<{ playbook: { summary: { items: string[] } } }>(onA, 'upload_playbook', { name: 'big', type: 'ansible', content: many });
    expect(big.playbook.summary.items.length).toBe(60);
    const found = await callOk<{ results: { id: string }[] }>(onA, 'search_memories', { query: 'nginx web servers', category: 'deployments' });
    expect(found.results.map((r) => r.id)).toContain(ok.playbook.id);

    const manifest = 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n';
    const k8s = await callOk<{ playbook: { summary: { documents: number; items: string[] } } }>(onA, 'upload_playbook', { name: 'web', type: 'kubernetes', content: manifest });
    expect(k8s.playbook.summary).toEqual({ documents: 2, items: ['Service/web', 'Deployment/web in shop'] });
    const secondBroken = await callTool(onA, 'upload_playbook', { name: 'web', type: 'kubernetes', content: `${manifest}---\napiVersion: v1\nkind: [unclosed\n` });
    expect(errorText(secondBroken)).toMatch(/\(line 13, column \d+\)$/);
    const notK8s = await callTool(onA, 'upload_playbook', { name: 'web', type: 'kubernetes', content: 'just: a map\n' });
    expect(errorText(notK8s)).toMatch(/^INVALID_INPUT: document 1 .* apiVersion and kind/);

    const tf = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n  tags = { Name = "web" }\n}\n';
    const tfOk = await callOk<{ playbook: { summary: { items: string[] } } }>(onA, 'upload_playbook', { name: 'web-tf', type: 'terraform', content: tf });
    expect(tfOk.playbook.summary.items).toEqual(['resource.aws_instance.web']);
    const tfBad = await callTool(onA, 'upload_playbook', { name: 'web-tf', type: 'terraform', content: 'resource "aws_instance" "web" {\n  ami = "ami-1"\n  tags = { Name = "web" \n}\n' });
    // HashiCorp's HCL parser: its diagnostic, at its position.
    expect(errorText(tfBad)).toMatch(/^INVALID_INPUT: HCL error: Unclosed configuration block: There is no closing brace for this block before the end of the file\..* \(line 1, column 31\)$/);
    const tfComma = await callTool(onA, 'upload_playbook', { name: 'web-tf', type: 'terraform', content: 'resource "aws_instance" "web" {\n  ami = "ami-1",\n}\n' });
    expect(errorText(tfComma)).toMatch(/^INVALID_INPUT: HCL error: Unexpected comma after argument: .* \(line 2, column 16\)$/);

    const secret = await callTool(onA, 'upload_playbook', { name: 'creds', type: 'ansible', content: '- hosts: all\n  vars:\n    aws_key: AKIAIOSFODNN7EXAMPLQ\n' });
    expect(errorText(secret)).toMatch(/^INVALID_INPUT: the playbook holds what looks like a secret .*line 3.*vault/);
    expect(errorText(secret)).not.toContain('AKIAIOSFODNN7EXAMPLQ');

    const next = await callOk<{ playbook: { version: number } }>(onA, 'upload_playbook', {
      playbook_id: ok.playbook.id,
      name: 'site',
      type: 'ansible',
      content: '- name: web servers\n  hosts: web\n  tasks:\n    - name: nginx\n      apt: { name: nginx, state: latest }\n',
    });
    expect(next.playbook.version).toBe(2);
    const d = await callOk<{ diff: string }>(onA, 'get_versions', { id: ok.playbook.id, diff_from: 1, version: 2 });
    expect(d.diff).toContain('+      apt: { name: nginx, state: latest }');
  }, 120_000);

  it('infrastructure state: latest, history and the change list, read on the other host', async () => {
    const onA = await session(a);
    const tuesday = '2026-12-01T09:00:00.000Z';
    await callOk(onA, 'track_infrastructure_state', { machine: 'db-2', state_type: 'versions', state: { postgres: '15.4', nginx: '1.24' }, observed_at: '2026-11-20T09:00:00Z' });
    const same = await callOk<{ unchanged: boolean; record: StateRecord }>(onA, 'track_infrastructure_state', { machine: 'db-2', state_type: 'versions', state: { nginx: '1.24', postgres: '15.4' }, observed_at: '2026-11-25T09:00:00Z' });
    expect(same.unchanged).toBe(true);
    expect(same.record.last_seen_at).toBe('2026-11-25T09:00:00.000Z');
    const upgraded = await callOk<{ changes: Change[] }>(onA, 'track_infrastructure_state', { machine: 'DB-2', state_type: 'versions', state: { postgres: '16.1', nginx: '1.24' }, observed_at: tuesday });
    expect(upgraded.changes.map((c) => c.text)).toEqual(['postgres went from 15.4 to 16.1 on db-2 on Tuesday 2026-12-01']);
    await callOk(onA, 'track_infrastructure_state', { machine: 'db-2', state_type: 'disk', state: { '/var': { used_pct: 61 } } });
    const tooBig = await callTool(onA, 'track_infrastructure_state', { machine: 'db-2', state_type: 'disk', state: { blob: 'x'.repeat(9_000) } });
    expect(errorText(tooBig)).toMatch(/^INVALID_INPUT: .*at most 8000 characters/);

    const onB = await session(b);
    const changes = await eventually(async () => {
      const r = await callOk<{ changes: Change[] }>(onB, 'get_infrastructure_state', { view: 'changes', machine: 'db-2' });
      return r.changes.length > 0 ? r.changes : undefined;
    }, 'the change list on B');
    expect(changes.map((c) => c.text)).toEqual(['postgres went from 15.4 to 16.1 on db-2 on Tuesday 2026-12-01']);
    const latest = await eventually(async () => {
      const r = await callOk<{ records: StateRecord[] }>(onB, 'get_infrastructure_state', { machine: 'db-2' });
      return r.records.length === 2 ? r.records : undefined;
    }, 'both types on B');
    expect(latest.map((r) => [r.state_type, r.state])).toEqual([
      ['disk', { '/var': { used_pct: 61 } }],
      ['versions', { postgres: '16.1', nginx: '1.24' }],
    ]);
    const history = await callOk<{ records: StateRecord[] }>(onB, 'get_infrastructure_state', { view: 'history', machine: 'db-2', state_type: 'versions' });
    expect(history.records.map((r) => r.state.postgres)).toEqual(['16.1', '15.4']);
    const recent = await callOk<{ records: StateRecord[] }>(onB, 'get_infrastructure_state', { view: 'history', machine: 'db-2', state_type: 'versions', since: '2026-11-30T00:00:00Z' });
    expect(recent.records.map((r) => r.state.postgres)).toEqual(['16.1']);
    expect((await callOk<{ changes: Change[] }>(onB, 'get_infrastructure_state', { view: 'changes', machine: 'db-2', since: '2026-12-02T00:00:00Z' })).changes).toEqual([]);
  }, 120_000);

  it('health records from a cron-style run on A are listed with their open issues on B; an action on B resolves one; the briefing shows the rest', async () => {
    // The cron job: plain CLI calls on elastic3, one per record.
    const issue = await a.json<Issue>(['record', 'issue', 'heap above 90% on elastic3', '--severity', 'high', '--detail', 'old gen not reclaimed']);
    const other = await a.json<Issue>(['record', 'issue', 'snapshot repository unreachable']);
    const run = await a.json<{ id: string }>(['record', 'health', '--check', 'cluster=warn:yellow, 2 unassigned shards', '--check', 'disk=ok', '--finding', 'heap 93%', '--did', 'cleared fielddata cache', '--issue', issue.id]);
    const bad = await a.cli(['record', 'health', '--check', 'cluster=purple']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^mesh: .*status/);
    const leak = await a.cli(['record', 'health', '--check', 's3=fail', '--finding', 'backup used key AKIAIOSFODNN7EXAMPLQ']);
    expect(leak.code).toBe(2);
    expect(leak.stderr).toMatch(/^mesh: the health record holds what looks like a secret .*vault/);
    expect(leak.stderr).not.toContain('AKIAIOSFODNN7EXAMPLQ');

    const onB = await session(b);
    const seen = await eventually(async () => {
      const h = await callOk<HostHealth>(onB, 'get_host_health', { host: 'elastic3' });
      return h.last_health?.id === run.id && h.open_issues.length === 2 ? h : undefined;
    }, "elastic3's records on B");
    expect(seen.last_health?.checks).toEqual([
      { name: 'cluster', status: 'warn', detail: 'yellow, 2 unassigned shards' },
      { name: 'disk', status: 'ok' },
    ]);
    expect(seen.open_issues.map((i) => i.id).sort()).toEqual([issue.id, other.id].sort());
    expect(errorText(await callTool(onB, 'record_action', { host: 'elastic3', action: 'x', resolves: [run.id] }))).toMatch(/^INVALID_INPUT: .* is not a health issue/);

    const act = await callOk<{ action: { id: string }; resolved: Issue[] }>(onB, 'record_action', { host: 'elastic3', action: 'restarted elastic3 with a larger heap', resolves: [issue.id.slice(0, 12)] });
    expect(act.resolved.map((i) => [i.id, i.status])).toEqual([[issue.id, 'resolved']]);
    // The next run on A reads what it needs first.
    const next = await eventually(async () => {
      const h = await a.json<HostHealth>(['record', 'last']);
      return h.open_issues.length === 1 ? h : undefined;
    }, 'the resolution on A');
    expect(next.open_issues[0]!.id).toBe(other.id);
    // The same records through the tools, for this host by default.
    const own = await callOk<{ issue: Issue }>(onB, 'record_issue', { title: 'wal archive lagging', severity: 'low' });
    expect(own.issue).toMatchObject({ host: 'db-ops', status: 'open' });
    const ownRun = await callOk<{ record: { id: string } }>(onB, 'record_health', { checks: [{ name: 'wal', status: 'warn' }], issues: [own.issue.id] });
    const mine = await callOk<HostHealth>(onB, 'get_host_health', {});
    expect([mine.host, mine.last_health?.id, mine.open_issues.map((i) => i.id)]).toEqual(['db-ops', ownRun.record.id, [own.issue.id]]);
    const brief = await sessionStart(a.home.dir);
    expect(brief.code).toBe(0);
    expect(brief.stdout).toContain('snapshot repository unreachable');
    expect(brief.stdout).not.toContain('heap above 90%');

    // The cron job closes what it fixed itself with `mesh record action`.
    const ntp = await a.json<Issue>(['record', 'issue', 'ntp offset 2s']);
    const fixed = await a.json<{ action: { id: string; host: string }; resolved: Issue[] }>(['record', 'action', 'restarted chronyd', '--resolves', ntp.id.slice(0, 12), '--result', 'offset 3 ms']);
    expect([fixed.action.host, fixed.resolved.map((i) => [i.id, i.status])]).toEqual(['elastic3', [[ntp.id, 'resolved']]]);
    const last = await a.cli(['record', 'last']);
    expect(last.stdout).toContain('Open issues (1):');
    expect(last.stdout).not.toContain('ntp offset');
  }, 120_000);

  it('projects: create, list, a per-session context that later writes default to, and the health check', async () => {
    const onA = await session(a);
    const other = await session(a);
    await callOk(onA, 'create_project', { name: 'search', systems: ['elastic3', 'kafka2'], description: 'the search cluster' });
    expect(errorText(await callTool(onA, 'create_project', { name: 'SEARCH' }))).toMatch(/^INVALID_INPUT: project search exists/);
    expect(errorText(await callTool(onA, 'switch_project_context', { project: 'nope' }))).toMatch(/^NOT_FOUND: .*known: search/);
    expect(errorText(await callTool(onA, 'project_health_check', {}))).toMatch(/^INVALID_INPUT: no project given/);
    await callOk(onA, 'switch_project_context', { project: 'search' });
    const projects = await callOk<{ projects: { name: string; systems: string[] }[]; current: string | null }>(onA, 'list_projects', {});
    expect(projects).toEqual({ projects: [expect.objectContaining({ name: 'search', systems: ['elastic3', 'kafka2'] })], current: 'search' });
    expect((await callOk<{ current: string | null }>(other, 'list_projects', {})).current).toBeNull();
    const stored = await callOk<{ id: string }>(onA, 'store_memory', { content: 'reindex nightly at 02:00' });
    expect((await callOk<{ project: string }>(onA, 'retrieve_memory', { memory_id: stored.id })).project).toBe('search');
    const elsewhere = await callOk<{ id: string }>(other, 'store_memory', { content: 'another session, no project' });
    expect((await callOk<{ project: string }>(other, 'retrieve_memory', { memory_id: elsewhere.id })).project).toBe('');

    const first = await callOk<{ id: string }>(onA, 'create_kanban_task', { title: 'grow the disk of kafka2' });
    const blocked = await callOk<{ id: string }>(onA, 'create_kanban_task', { title: 'rebalance partitions', dependencies: [first.id] });
    const health = await callOk<{ status: string; open_incidents: { id: string }[]; blocked_tasks: { id: string }[]; open_health_issues: { title: string }[]; drift: { available: boolean } }>(onA, 'project_health_check', {});
    expect(health.status).toBe('attention');
    expect(health.blocked_tasks.map((t) => t.id)).toEqual([blocked.id]);
    expect(health.open_incidents.length).toBeGreaterThan(0); // "kafka2 lagging again", still open
    expect(health.open_health_issues.map((i) => i.title)).toEqual(['snapshot repository unreachable']);
    expect(health.drift).toMatchObject({ available: false, drifted: [] });

    // Drift in the project's systems: kafka2's broker config differs from its siblings' (and from its own first snapshot).
    const props = (hours: number) => `num.partitions=6\nlog.retention.hours=${hours}\nlog.dirs=/var/lib/kafka\n`;
    const snap = (system: string, hours: number) => callOk(onA, 'create_config_snapshot', { system, config_type: 'server.properties', path: '/etc/kafka/server.properties', content: props(hours) });
    for (const system of ['kafka1', 'kafka2', 'kafka3']) await snap(system, 168);
    await snap('kafka2', 24);
    const drifted = await callOk<{ status: string; drift: { available: boolean; config_types: string[]; drifted: { system: string; config_type: string; keys: string[]; summary: string }[] } }>(onA, 'project_health_check', {});
    expect(drifted.drift).toMatchObject({ available: true, config_types: ['server.properties'], drifted: [{ system: 'kafka2', config_type: 'server.properties', keys: ['log.retention.hours'] }] });
    expect(drifted.drift.drifted[0]!.summary).toContain("kafka2's server.properties differs from kafka1, kafka3 in log.retention.hours (24; others 168)");
    expect(drifted.drift.drifted[0]!.summary).toContain('kafka2 drifted from its baseline in log.retention.hours (168 → 24)');
    const onB = await eventually(async () => (await b.json<{ projects: { name: string; systems: string[] }[] }>(['project', 'ls'])).projects.find((p) => p.name === 'search'), 'the project on B');
    expect(onB.systems).toEqual(['elastic3', 'kafka2']);

    // Runbooks of the project's systems untouched for RUNBOOK_STALE_DAYS are stale (the check's clock moved ahead).
    const rb = await callOk<{ runbook: { id: string } }>(onA, 'generate_runbook', { title: 'kafka2 broker restart', trigger: 'broker down', steps: ['systemctl restart kafka'], verification: 'ISR complete', systems: ['kafka2'] });
    const service = new ProjectService((method, params) => callDaemon(a, method, params));
    expect((await service.health('search')).stale_runbooks.map((r) => r.id)).not.toContain(rb.runbook.id);
    expect((await service.health('search', Date.now() + 91 * 86_400_000)).stale_runbooks.map((r) => r.id)).toContain(rb.runbook.id);
    const cli = await a.cli(['project', 'health', 'search']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('Blocked tasks (1)');
    expect(cli.stdout).toContain('Config drift (1):');
    expect(cli.stdout).toContain("kafka2's server.properties differs from kafka1, kafka3 in log.retention.hours");

    // Projects for people: created and listed as a table by the CLI.
    const made = await a.json<{ name: string; systems: string[] }>(['project', 'create', 'billing', '--systems', 'PG1,pg2', '--description', 'invoices']);
    expect(made).toMatchObject({ name: 'billing', systems: ['pg1', 'pg2'] });
    const table = (await a.cli(['project', 'ls'])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^NAME +SYSTEMS +ID +DESCRIPTION$/);
    expect(table.slice(1).map((row) => row.split(/ +/).slice(0, 2))).toEqual([
      ['billing', 'pg1,pg2'],
      ['search', 'elastic3,kafka2'],
    ]);
    expect((await a.cli(['project', 'create', 'Billing'])).code).toBe(2);
  }, 120_000);
});
