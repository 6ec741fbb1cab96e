import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, callTool, errorText, mcpClient } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';
import { tmpHome } from '../helpers/tmpHome.js';

const TOOLS = { MESH_TOOLS: 'devops' };
/** expect.stringContaining typed as what it matches (vitest types it any). */
const containing = (text: string): string => expect.stringContaining(text) as string;
const JVM = ['## JVM configuration', '-Xms4g', '-Xmx4g', '-XX:+UseG1GC', '-XX:G1ReservePercent=25', '-Djava.io.tmpdir=${ES_TMPDIR}', ''].join('\n');

interface Snapshot { id: string; system: string; sha256: string; content_id: string }
interface Outcome { host: string; status: string; reason: string; backup: string | null; diff: string | null; verified: boolean }
interface Distribution { id: string; outcomes: Outcome[]; pending: string[] }

/** Config snapshots, drift and distribution on three real daemons through `mesh mcp` sessions. */
describe('devops configs across hosts', () => {
  let ops: TestHost;
  let web1: TestHost;
  let web2: TestHost;
  const files = tmpHome('mh-files-');
  let clients: Client[] = [];
  const session = async (h: TestHost) => {
    const c = await mcpClient(h.home.dir, `claude-${h.name}`, TOOLS);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ops = await TestHost.create('ops');
    web1 = await TestHost.create('web1');
    web2 = await TestHost.create('web2');
    // Only web1 opts in, and only for files under app/, one ssh config, one ssh config that may run
    // commands, and files under from-web2/ sent by web2 alone; web2 allows nothing.
    const allow = [
      { path: join(files.dir, 'app', '*.conf') },
      { path: join(files.dir, 'ssh', 'config') },
      { path: join(files.dir, 'ssh', 'jump'), commands: true },
      { path: join(files.dir, 'from-web2', '*.conf'), from: ['web2'] },
    ];
    writeFileSync(join(web1.home.dir, 'config.json'), JSON.stringify({ distribution: { allow } }));
    await ops.start();
    await joinMesh(ops, web1);
    await joinMesh(ops, web2);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    clients = [];
    await Promise.all([ops, web1, web2].map((h) => h?.dispose()));
    files.cleanup();
  });

  it('drift across five same-type systems names the odd one out with the differing key and lines; identical content is stored once', async () => {
    const onOps = await session(ops);
    const onWeb1 = await session(web1);
    const snap = (c: Client, system: string, content: string) =>
      callOk<{ snapshot: Snapshot; content_reused: boolean; unchanged: boolean }>(c, 'create_config_snapshot', { system, config_type: 'jvm.options', path: '/etc/elasticsearch/jvm.options', content });
    // elastic3 starts like the others (its baseline), then someone raises its heap.
    const first = await snap(onOps, 'elastic1', JVM);
    expect(first.content_reused).toBe(false);
    const e3base = await snap(onOps, 'elastic3', JVM);
    expect(e3base.content_reused).toBe(true);
    expect(e3base.snapshot.content_id).toBe(first.snapshot.content_id);
    for (const s of ['elastic2', 'elastic4', 'elastic5']) await snap(onWeb1, s, JVM);
    const again = await snap(onOps, 'elastic1', JVM);
    expect(again).toMatchObject({ unchanged: true, snapshot: { id: first.snapshot.id } });
    const raised = await snap(onOps, 'elastic3', JVM.replace('-Xmx4g', '-Xmx8g'));
    expect(raised.content_reused).toBe(false);

    // web1's three snapshots reach ops by replication.
    const drift = await eventually(async () => {
      const r = await callOk<{ systems: string[]; summary: string; peers: { odd: { system: string; differs_from: string[]; keys: { key: string; value: string; expected: string }[]; lines: { added: string[]; missing: string[] } }[] }; baseline: { system: string; drifted: boolean; changes: { key: string; old: string; new: string }[] }[] }>(
        onOps,
        'detect_config_drift',
        { config_type: 'jvm.options' },
      );
      return r.systems.length === 5 ? r : undefined;
    }, 'five systems on ops');
    expect(drift.peers.odd).toHaveLength(1);
    expect(drift.peers.odd[0]).toMatchObject({ system: 'elastic3', differs_from: ['elastic1', 'elastic2', 'elastic4', 'elastic5'], keys: [{ key: '-Xmx', value: '8g', expected: '4g' }], lines: { added: ['-Xmx8g'], missing: ['-Xmx4g'] } });
    expect(drift.summary).toContain("elastic3's jvm.options differs from elastic1, elastic2, elastic4, elastic5 in -Xmx (8g; others 4g)");
    expect(drift.baseline.find((b) => b.system === 'elastic3')).toMatchObject({ drifted: true, changes: [{ key: '-Xmx', old: '4g', new: '8g' }] });
    expect(drift.baseline.filter((b) => b.drifted).map((b) => b.system)).toEqual(['elastic3']);

    const diff = await callOk<{ unified: string; changes: unknown[] }>(onOps, 'compare_config_snapshots', { system_a: 'elastic1', system_b: 'elastic3', config_type: 'jvm.options' });
    expect(diff.unified).toContain('-Xmx4g\n+-Xmx8g');
    // YAML (and JSON) are compared as structure: dotted keys with old and new values.
    const yml = (heap: string) => callOk<{ snapshot: Snapshot }>(onOps, 'create_config_snapshot', { system: 'es-a', config_type: 'elasticsearch.yml', path: '/etc/elasticsearch/elasticsearch.yml', content: `cluster:\n  name: prod\nnode:\n  roles: [master, data]\n  attr: { heap: ${heap} }\n` });
    const [y1, y2] = [await yml('4g'), await yml('8g')];
    const structured = await callOk<{ format: string; changes: { key: string; old: string; new: string }[]; unified: string }>(onOps, 'compare_config_snapshots', { from: y1.snapshot.id, to: y2.snapshot.id });
    expect(structured).toMatchObject({ format: 'yaml', changes: [{ key: 'node.attr.heap', old: '"4g"', new: '"8g"' }] });
    expect(structured.unified).toContain('+  attr: { heap: 8g }');
    const history = await callOk<{ snapshots: { id: string; changes: { key: string }[] }[] }>(onOps, 'get_config_history', { system: 'elastic3' });
    expect(history.snapshots.map((s) => s.id)).toEqual([raised.snapshot.id, e3base.snapshot.id]);
    expect(history.snapshots[0]!.changes.map((c) => c.key)).toEqual(['-Xmx']);

    // The CLI reads the same report and diffs, by system names or by snapshot ids.
    const cliDiff = await ops.cli(['config', 'diff', 'elastic1', 'elastic3', '--type', 'jvm.options']);
    expect(cliDiff.code, cliDiff.stderr).toBe(0);
    expect(cliDiff.stdout).toContain('-Xmx4g\n+-Xmx8g');
    const byIds = await ops.json<{ identical: boolean; changes: { key: string; old: string; new: string }[] }>(['config', 'diff', e3base.snapshot.id, raised.snapshot.id]);
    expect(byIds).toMatchObject({ identical: false, changes: [{ key: '-Xmx', old: '4g', new: '8g' }] });
    const noType = await ops.cli(['config', 'diff', 'elastic1', 'nope']);
    expect(noType.code).toBe(3);
    const cli = await ops.cli(['config', 'drift', 'jvm.options']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("elastic3's jvm.options differs from elastic1, elastic2, elastic4, elastic5 in -Xmx");
    const json = await ops.json<{ peers: { odd: { system: string }[] } }>(['config', 'drift', 'jvm.options', '--system', 'elastic3']);
    expect(json.peers.odd.map((o) => o.system)).toEqual(['elastic3']);

    // Accepting the change: the same content marked as baseline is a new snapshot; elastic3 stays the
    // odd one out among its peers but has no longer drifted from its own baseline.
    const accepted = await callOk<{ snapshot: Snapshot & { baseline: boolean }; unchanged: boolean }>(onOps, 'create_config_snapshot', { system: 'elastic3', config_type: 'jvm.options', path: '/etc/elasticsearch/jvm.options', content: JVM.replace('-Xmx4g', '-Xmx8g'), baseline: true });
    expect(accepted).toMatchObject({ unchanged: false, snapshot: { baseline: true } });
    const afterAccept = await callOk<{ peers: { odd: { system: string }[] }; baseline: { system: string; drifted: boolean; baseline_id: string }[] }>(onOps, 'detect_config_drift', { config_type: 'jvm.options', system: 'elastic3' });
    expect(afterAccept.baseline).toEqual([expect.objectContaining({ system: 'elastic3', drifted: false, baseline_id: accepted.snapshot.id })]);
    expect(afterAccept.peers.odd.map((o) => o.system)).toEqual(['elastic3']);
  }, 120_000);

  it('refuses secrets-bearing snapshots, by name and by content, and stores nothing of them', async () => {
    const onOps = await session(ops);
    const byName = await callTool(onOps, 'create_config_snapshot', { system: 'bastion', config_type: 'ssh_key', path: '/home/ops/.ssh/id_ed25519', content: 'not really a key' });
    expect(byName.isError).toBe(true);
    expect(errorText(byName)).toMatch(/^SECRET_REFUSED: .*id_ed25519.*vault/);
    const secret = 'hunter2-correct-horse-battery';
    const byContent = await callTool(onOps, 'create_config_snapshot', { system: 'db1', config_type: 'app.ini', path: '/etc/app/app.ini', content: `[db]\nhost = db1\npassword = ${secret}\n` });
    expect(byContent.isError).toBe(true);
    expect(errorText(byContent)).toMatch(/^SECRET_REFUSED: .*secret assignment \(line 3\)/);
    expect(errorText(byContent)).not.toContain(secret);
    const file = join(files.dir, 'app.ini');
    writeFileSync(file, `[db]\npassword = ${secret}\n`);
    const cli = await ops.cli(['config', 'snapshot', 'db1', 'app.ini', file]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^mesh: refused: it contains secret assignment \(line 2\).*vault/);
    expect(cli.stderr).not.toContain(secret);
    expect(await ops.search('hunter2')).toEqual([]);
  });

  it('a config distributed to two targets is applied on the one that allows it (backup kept) and refused on the other; the sender sees both', async () => {
    const onOps = await session(ops);
    const target = join(files.dir, 'app', 'app.conf');
    mkdirSync(join(files.dir, 'app'), { recursive: true });
    writeFileSync(target, 'workers 4\n');
    const status = (id: string) => callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: id });
    const settled = (id: string, what: string) => eventually(async () => ((await status(id)).outcomes.length === 2 ? status(id) : undefined), what);

    // A dry run first: web1 reports its diff and writes nothing.
    const dry = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web*'], path: target, content: 'workers 8\n', dry_run: true });
    const dryDone = await settled(dry.id, 'dry-run outcomes');
    expect(dryDone.outcomes.find((o) => o.host === 'web1')).toMatchObject({ status: 'would_apply', verified: true, diff: containing('-workers 4\n+workers 8') });
    expect(readFileSync(target, 'utf8')).toBe('workers 4\n');

    const sent = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web1', 'web2'], path: target, content: 'workers 8\n' });
    const done = await settled(sent.id, 'both outcomes on ops');
    expect(done.pending).toEqual([]);
    expect(done.outcomes.find((o) => o.host === 'web1')).toMatchObject({ status: 'applied', verified: true, backup: `${target}.mesh-backup` });
    expect(done.outcomes.find((o) => o.host === 'web2')).toMatchObject({ status: 'refused', verified: true, reason: containing('allows no distributed files') });
    expect(readFileSync(target, 'utf8')).toBe('workers 8\n');
    expect(readFileSync(`${target}.mesh-backup`, 'utf8')).toBe('workers 4\n');

    const cli = await ops.cli(['config', 'dist', sent.id]);
    expect(cli.stdout).toMatch(/web1: applied .*previous kept at/);
    expect(cli.stdout).toMatch(/web2: refused/);
  }, 120_000);

  it('a target never writes through a link out of its allow list, nor an ssh config that runs commands', async () => {
    const onOps = await session(ops);
    const outside = join(files.dir, 'outside.txt');
    writeFileSync(outside, 'untouched\n');
    const link = join(files.dir, 'app', 'escape.conf');
    symlinkSync(outside, link);
    const escape = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web1'], path: link, content: 'owned\n' });
    const escaped = await eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: escape.id })).outcomes[0], 'web1 outcome');
    expect(escaped).toMatchObject({ host: 'web1', status: 'refused', reason: containing(`really ${outside}`) });
    const dotted = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web1'], path: `${files.dir}/app/../outside.txt`, content: 'owned\n' });
    expect(await eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: dotted.id })).outcomes[0], 'web1 outcome')).toMatchObject({ status: 'refused' });
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');

    mkdirSync(join(files.dir, 'ssh'), { recursive: true });
    const ssh = await callOk<Distribution>(onOps, 'sync_ssh_config', { targets: ['web1'], path: join(files.dir, 'ssh', 'config'), content: 'Host db1\n  HostName 10.0.0.5\n  ProxyCommand nc -X 5 %h %p\n' });
    expect(await eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: ssh.id })).outcomes[0], 'web1 outcome')).toMatchObject({ status: 'refused', reason: containing('ProxyCommand') });
    expect(existsSync(join(files.dir, 'ssh', 'config'))).toBe(false);
  }, 120_000);

  it("an allow entry's commands: true accepts an ssh config that runs commands, and from: limits the senders", async () => {
    const onOps = await session(ops);
    mkdirSync(join(files.dir, 'ssh'), { recursive: true });
    mkdirSync(join(files.dir, 'from-web2'), { recursive: true });
    const outcome = async (id: string) => eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: id })).outcomes[0], 'web1 outcome');
    const jump = 'Host db1\n  ProxyCommand ssh -W %h:%p bastion\n';
    const ssh = await callOk<Distribution>(onOps, 'sync_ssh_config', { targets: ['web1'], path: join(files.dir, 'ssh', 'jump'), content: jump });
    expect(await outcome(ssh.id)).toMatchObject({ host: 'web1', status: 'applied', verified: true, backup: null });
    expect(readFileSync(join(files.dir, 'ssh', 'jump'), 'utf8')).toBe(jump);
    const notFromOps = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web1'], path: join(files.dir, 'from-web2', 'a.conf'), content: 'x 1\n' });
    expect(await outcome(notFromOps.id)).toMatchObject({ host: 'web1', status: 'refused', verified: true, reason: containing('ops is not among the members this host accepts') });
    expect(existsSync(join(files.dir, 'from-web2', 'a.conf'))).toBe(false);
  }, 120_000);

  it('a member cannot stop a target by forging its outcome, nor make it apply content changed after signing', async () => {
    const onOps = await session(ops);
    const onWeb2 = await session(web2);
    const target = join(files.dir, 'app', 'late.conf');
    mkdirSync(join(files.dir, 'app'), { recursive: true });
    writeFileSync(target, 'v1\n');
    await web1.stop();
    const forged = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web1'], path: target, content: 'v2\n' });
    const tampered = await callOk<Distribution>(onOps, 'sync_infrastructure_config', { targets: ['web1'], path: join(files.dir, 'app', 'other.conf'), content: 'port 80\n' });
    await eventually(async () => !(await callTool(onWeb2, 'retrieve_memory', { memory_id: tampered.id })).isError && !(await callTool(onWeb2, 'retrieve_memory', { memory_id: forged.id })).isError, 'distributions on web2');
    // web2 plays the compromised member: a fake "applied" report for web1, and new content under ops's signature.
    const fake = { nonce: 'x'.repeat(36), host: 'web1', peer: 'nobody', status: 'applied', reason: 'wrote it', at: new Date().toISOString(), backup: null, diff: null, signature: 'AAAA' };
    await callOk(onWeb2, 'update_memory', { memory_id: forged.id, metadata: { 'outcome:web1': fake } });
    await callOk(onWeb2, 'update_memory', { memory_id: tampered.id, content: 'port 80\nProxyCommand evil\n' });
    await eventually(async () => (await callOk<{ content: string }>(onOps, 'retrieve_memory', { memory_id: tampered.id })).content.includes('evil'), 'the tampering on ops');
    await eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: forged.id })).outcomes.some((o) => o.host === 'web1' && !o.verified), 'the forged report on ops');
    await web1.start();

    const real = await eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: forged.id })).outcomes.find((o) => o.verified), 'web1 report after restart', 60_000);
    expect(real).toMatchObject({ host: 'web1', status: 'applied' });
    expect(readFileSync(target, 'utf8')).toBe('v2\n');
    const refused = await eventually(async () => (await callOk<Distribution>(onOps, 'get_config_distribution', { distribution_id: tampered.id })).outcomes[0], 'web1 refusal', 60_000);
    expect(refused).toMatchObject({ host: 'web1', status: 'refused', verified: true, reason: containing('changed after its author signed it') });
    expect(existsSync(join(files.dir, 'app', 'other.conf'))).toBe(false);
  }, 180_000);

  it('a snapshot whose content was erased is left out of drift, and said so', async () => {
    const onOps = await session(ops);
    const snap = (system: string, content: string) => callOk<{ snapshot: Snapshot }>(onOps, 'create_config_snapshot', { system, config_type: 'redis.conf', path: '/etc/redis/redis.conf', content });
    const file = join(files.dir, 'redis.conf');
    writeFileSync(file, 'maxmemory 2gb\n');
    const viaCli = await ops.json<{ snapshot: Snapshot }>(['config', 'snapshot', 'cache1', 'redis.conf', file, '--path', '/etc/redis/redis.conf']);
    expect((await ops.json<{ snapshots: Snapshot[] }>(['config', 'history', 'cache1'])).snapshots.map((x) => x.id)).toEqual([viaCli.snapshot.id]);
    await snap('cache2', 'maxmemory 2gb\n');
    const gone = await snap('cache3', 'maxmemory 4gb\nappendonly yes\n');
    await callOk(onOps, 'delete_memory', { memory_id: gone.snapshot.content_id, hard_delete: true });
    const r = await callOk<{ unreadable: string[]; summary: string; peers: { identical: boolean } }>(onOps, 'detect_config_drift', { config_type: 'redis.conf' });
    expect(r.unreadable).toEqual(['cache3']);
    expect(r.peers.identical).toBe(true);
    expect(r.summary).toContain('left out (content erased): cache3');
    expect(await ops.search('appendonly')).toEqual([]);
  });

  it('mines templates from a real-looking log file on this host', async () => {
    const onOps = await session(ops);
    const log = join(files.dir, 'elasticsearch.log');
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) lines.push(`[2026-12-06T02:${String(i).padStart(2, '0')}:00,123][INFO ][o.e.c.r.a.DiskThresholdMonitor] [elastic3] low disk watermark [85%] exceeded on [node-${i % 3}] free: ${20 + i}gb[${15 - (i % 5)}%]`);
    lines.push('[2026-12-06T03:10:00,000][WARN ][o.e.t.TransportService] [elastic3] Received response for a request that has timed out, sent [31.2s/31200ms] ago, timed out [1m/60000ms] ago, action [cluster:monitor/nodes/stats[n]], node [elastic1], id [44811]');
    lines.push('[2026-12-06T03:11:00,000][WARN ][o.e.t.TransportService] [elastic3] Received response for a request that has timed out, sent [32.5s/32500ms] ago, timed out [1m/60000ms] ago, action [cluster:monitor/nodes/stats[n]], node [elastic2], id [44907]');
    writeFileSync(log, lines.join('\n') + '\n');
    const r = await callOk<{ lines: number; templates: { template: string; count: number; new?: boolean; first_seen: string | null }[] }>(onOps, 'analyze_log_patterns', { path: log, since: '2026-12-06T03:00:00Z' });
    expect(r.lines).toBe(42);
    expect(r.templates.map((t) => [t.count, t.new])).toEqual([
      [40, false],
      [2, true],
    ]);
    expect(r.templates[1]!.template).toContain('Received response for a request that has timed out');
    const missing = await callTool(onOps, 'analyze_log_patterns', { path: join(files.dir, 'nope.log') });
    expect(errorText(missing)).toMatch(/^NOT_FOUND/);
    expect(errorText(await callTool(onOps, 'analyze_log_patterns', {}))).toMatch(/^INVALID_INPUT.*give lines or path/);
    expect(errorText(await callTool(onOps, 'compare_config_snapshots', { from: 'x' }))).toMatch(/^INVALID_INPUT/);
    expect(errorText(await callTool(onOps, 'get_config_distribution', { distribution_id: 'nope' }))).toMatch(/^NOT_FOUND/);
  });
});
