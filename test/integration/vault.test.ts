import { spawn } from 'node:child_process';
import type { MethodName, ParamsOf, ResultOf } from '../../src/daemon/methodMap.js';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, callTool, errorText, mcpClient, MESH_BIN, TEST_ENV, type CliResult } from '../helpers/cli.js';
import { forgeVaultOp, tamperAuditChain, whatCanThisHostOpen } from '../helpers/forgeVault.js';
import { callDaemon, eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Problem {
  host: string;
  position: number;
  problem: string;
}

/** Secret values distinct enough to find in any file, in any encoding. */
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = { db: secret('db-password'), api: secret('api-key'), after: secret('after-revoke'), piped: secret('piped'), temp: secret('temp'), forge: secret('forge'), person: secret('person'), cli: secret('cli') };

/** `mesh ARGS` with `input` on stdin (the way a value reaches `mesh vault set`). */
function meshWithStdin(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MESH_BIN, ...args], { env: { ...process.env, ...TEST_ENV } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function call<N extends MethodName>(h: TestHost, method: N, params: ParamsOf<N>): Promise<ResultOf<N>> {
  return callDaemon(h, method, params, { agent: `agent-${h.name}` });
}
async function refusal<N extends MethodName>(h: TestHost, method: N, params: ParamsOf<N>): Promise<string> {
  try {
    await call(h, method, params);
  } catch (err) {
    return (err as { code?: string }).code ?? 'no code';
  }
  return 'accepted';
}
const vaultOn = async (h: TestHost, id: string) => (await call(h, 'vault.list', { all: true })).vaults.find((v) => v.id === id);
const valueOn = (h: TestHost, vault: string, name: string) => call(h, 'vault.get', { vault, name, audit_reason: 'integration test' }).then((r) => r.value);
const refusedLines = (h: TestHost, re: RegExp) => h.log.split('\n').filter((l) => l.includes('refused a document from a peer') && re.test(l));

describe('vaults across three real daemons (real tweetnacl, libp2p, LevelDB)', () => {
  let a: TestHost;
  let b: TestHost;
  let c: TestHost;
  let ids: { a: string; b: string; c: string };
  let ops: string;
  let mcp: Client | undefined;

  beforeAll(async () => {
    a = await TestHost.create('alpha');
    b = await TestHost.create('bravo');
    c = await TestHost.create('charlie');
    await a.start();
    await joinMesh(a, b);
    await joinMesh(a, c);
    ids = { a: await a.peerId(), b: await b.peerId(), c: await c.peerId() };
    ops = (await call(a, 'vault.create', { name: 'ops', type: 'shared' })).id;
    await call(a, 'vault.put', { vault: ops, name: 'db-password', value: SECRETS.db, kind: 'password', username: 'app', url: 'postgres://db.internal' });
  }, 240_000);

  afterAll(async () => {
    await mcp?.close();
    for (const h of [a, b, c]) await h?.dispose();
  });

  it('a mesh member that is not a vault member replicates the vault and cannot open it', async () => {
    const seen = await eventually(async () => (await vaultOn(b, ops)) ?? false, 'bravo to replicate the vault', 60_000);
    expect(seen.access).toBeNull();
    expect(await refusal(b, 'vault.get', { vault: ops, name: 'db-password', audit_reason: 'curious' })).toBe('NOT_AUTHORISED');
    expect(await refusal(b, 'vault.secrets', { vault: ops })).toBe('NOT_AUTHORISED');
    // Not only its daemon's refusal: with its own files and box key it opens no generation and no value.
    await b.stop();
    expect(await whatCanThisHostOpen(b.home.dir, ops)).toEqual({ generations: [], values: [] });
    await b.start();
  }, 90_000);

  it('sharing lets a host read (to every host that has published its box key); a writer writes, the others read it', async () => {
    await eventually(async () => (await call(a, 'vault.share', { vault: ops, host: 'bravo', level: 'write' })).granted.length === 1, 'bravo’s box key to reach alpha', 60_000);
    await call(a, 'vault.share', { vault: ops, host: ids.c, level: 'write' });
    expect(await eventually(async () => (await valueOn(b, ops, 'db-password').catch(() => undefined)) ?? false, 'bravo to read', 60_000)).toBe(SECRETS.db);
    expect(await eventually(async () => (await valueOn(c, ops, 'db-password').catch(() => undefined)) ?? false, 'charlie to read', 60_000)).toBe(SECRETS.db);
    await call(b, 'vault.put', { vault: ops, name: 'api-key', value: SECRETS.api, kind: 'api_key' });
    expect(await eventually(async () => (await valueOn(a, ops, 'api-key').catch(() => undefined)) ?? false, 'alpha to read bravo’s write', 60_000)).toBe(SECRETS.api);
    // Listing shows names and sealed metadata, never values.
    const listed = await call(c, 'vault.secrets', { vault: ops });
    expect(listed.secrets.map((s) => s.name).sort()).toEqual(['api-key', 'db-password']);
    expect(listed.secrets.find((s) => s.name === 'db-password')?.username).toBe('app');
    expect(JSON.stringify(listed)).not.toContain(SECRETS.db);
  }, 180_000);

  it('the CLI reads a value from stdin (never argv) and prints it for a reason; without --reason it refuses', async () => {
    const set = await meshWithStdin(['vault', 'set', 'ops', 'piped', '--kind', 'token', '--home', a.home.dir], `${SECRETS.piped}\n`);
    expect(set.code, set.stderr).toBe(0);
    const got = await meshWithStdin(['vault', 'get', 'ops', 'piped', '--reason', 'deploy', '--home', a.home.dir], '');
    expect(got.stdout).toBe(`${SECRETS.piped}\n`);
    const noReason = await meshWithStdin(['vault', 'get', 'ops', 'piped', '--home', a.home.dir], '');
    expect(noReason.code).not.toBe(0);
  }, 60_000);

  it('retrieve_from_vault through MCP requires audit_reason and answers the value', async () => {
    mcp = await mcpClient(a.home.dir, 'vault-test', { MESH_TOOLS: 'core,vault' });
    const missing = await callTool(mcp, 'retrieve_from_vault', { vault: 'ops', name: 'db-password' });
    expect(missing.isError).toBe(true);
    expect(errorText(missing)).toMatch(/audit_reason/);
    const r = await callOk<{ value: string }>(mcp, 'retrieve_from_vault', { vault: 'ops', name: 'db-password', audit_reason: 'run the migration' });
    expect(r.value).toBe(SECRETS.db);
    const secrets = await callTool(mcp, 'list_vault_secrets', { vault: 'ops' });
    expect(JSON.stringify(secrets)).not.toContain(SECRETS.db);
  }, 60_000);

  it('revoking rotates at once: the revoked host cannot open anything written after, and a write it signs afterwards is refused on every host', async () => {
    const before = (await vaultOn(a, ops))!.generation;
    const r = await call(a, 'vault.revoke', { vault: ops, host: 'charlie', reason: 'left the project' });
    expect(r.generation).toBe(before + 1);
    expect(r.resealed).toBe(3);
    await call(a, 'vault.put', { vault: ops, name: 'after-revoke', value: SECRETS.after });
    await eventually(async () => (await vaultOn(c, ops))?.generation === before + 1 && (await vaultOn(b, ops))?.generation === before + 1 || false, 'the rotation to reach bravo and charlie', 60_000);
    expect(await refusal(c, 'vault.get', { vault: ops, name: 'db-password', audit_reason: 'still here?' })).toBe('NOT_AUTHORISED');
    expect(await eventually(async () => (await valueOn(b, ops, 'after-revoke').catch(() => undefined)) ?? false, 'bravo to read after the rotation', 60_000)).toBe(SECRETS.after);

    // The revoked host, with its own files: it keeps what it could open before, and nothing of the new generation.
    await c.stop();
    const opened = await whatCanThisHostOpen(c.home.dir, ops);
    expect(opened.generations).not.toContain(before + 1);
    expect(opened.values).toContain(SECRETS.db); // the old ciphertext it could read before
    expect(opened.values).not.toContain(SECRETS.after);
    // A relayed write it signs after its revocation (dated now, chained on its own last op).
    await forgeVaultOp(c.home.dir, ops, { kind: 'write', name: 'planted', g: null, entry: null });
    await c.start();
    for (const h of [a, b]) await eventually(() => Promise.resolve(refusedLines(h, /not a member of the vault \(or revoked\)/).length > 0), `${h.name} to refuse charlie's write`, 60_000);
    for (const h of [a, b]) expect((await call(h, 'vault.secrets', { vault: ops })).secrets.map((s) => s.name)).not.toContain('planted');
    const status = await a.json<{ replication: { rejected_documents: { collection: string; reason: string }[] } }>(['status']);
    expect(status.replication.rejected_documents.some((d) => d.collection === 'vaults' && /vault:/.test(d.reason))).toBe(true);
  }, 240_000);

  it('a read-only member’s write and a non-admin’s role change are refused on merge by every other host', async () => {
    const v = (await call(a, 'vault.create', { name: 'merge-rules', type: 'project' })).id;
    await call(a, 'vault.put', { vault: v, name: 'token', value: SECRETS.forge });
    await call(a, 'vault.share', { vault: v, host: ids.b, level: 'read' });
    await call(a, 'vault.share', { vault: v, host: ids.c, level: 'write' });
    for (const h of [b, c]) await eventually(async () => (await vaultOn(h, v))?.access !== null && (await vaultOn(h, v)) !== undefined || false, `${h.name} to hold its grant`, 60_000);
    expect(await refusal(b, 'vault.put', { vault: v, name: 'x', value: 'y' })).toBe('NOT_AUTHORISED');
    expect(await refusal(c, 'vault.share', { vault: v, host: ids.b, level: 'admin' })).toBe('NOT_AUTHORISED');
    await b.stop();
    await c.stop();
    await forgeVaultOp(b.home.dir, v, { kind: 'write', name: 'by-reader', g: null, entry: null });
    await forgeVaultOp(c.home.dir, v, { kind: 'grant', peer: ids.c, level: 'admin', overrides: [], wraps: {} });
    await b.start();
    await c.start();
    await eventually(() => Promise.resolve(refusedLines(a, /read-only member writing/).length > 0), 'alpha to refuse the read-only write', 60_000);
    await eventually(() => Promise.resolve(refusedLines(a, /not an admin of the vault/).length > 0), 'alpha to refuse the role change', 60_000);
    const onA = (await vaultOn(a, v))!;
    expect(onA.members.find((m) => m.peer === ids.c)?.level).toBe('write');
  }, 240_000);

  it('an expired share stops working', async () => {
    const v = (await call(a, 'vault.create', { name: 'temp', type: 'personal' })).id;
    await call(a, 'vault.put', { vault: v, name: 'temp', value: SECRETS.temp });
    const until = Date.now() + 15_000;
    await call(a, 'vault.share', { vault: v, host: ids.b, level: 'write', expires_at: new Date(until).toISOString() });
    expect(await eventually(async () => (await valueOn(b, v, 'temp').catch(() => undefined)) ?? false, 'bravo to read before expiry', 60_000)).toBe(SECRETS.temp);
    await eventually(async () => (Date.now() > until ? (await refusal(b, 'vault.get', { vault: v, name: 'temp', audit_reason: 'late' })) === 'NOT_AUTHORISED' : false) || false, 'the share to expire', 60_000);
    expect(await refusal(b, 'vault.put', { vault: v, name: 'late', value: 'x' })).toBe('NOT_AUTHORISED');
    // The admin host rotates the expired host out on its own (a timer at the expiry).
    const rotated = await eventually(async () => {
      const s = await vaultOn(a, v);
      return s && s.generation > 0 && !s.members.some((m) => m.peer === ids.b) ? s : false;
    }, 'alpha to rotate the expired host out', 60_000);
    expect(rotated.generation).toBe(1);
  }, 120_000);

  it('a person with two hosts needs one grant (the team of their hosts), and both read', async () => {
    for (const peer of [ids.b, ids.c]) expect((await a.cli(['teams', 'grant', peer, 'dana'])).code).toBe(0);
    const v = (await call(a, 'vault.create', { name: 'dana-personal', type: 'personal' })).id;
    await call(a, 'vault.put', { vault: v, name: 'ssh', value: SECRETS.person, kind: 'ssh_key' });
    const shared = await eventually(async () => {
      const r = await call(a, 'vault.share', { vault: v, person: 'dana', level: 'read' }).catch(() => undefined);
      return r && r.granted.length === 2 ? r : false;
    }, 'both of dana’s hosts in the team on alpha', 60_000);
    expect(shared.granted.map((g) => g.peer).sort()).toEqual([ids.b, ids.c].sort());
    for (const h of [b, c]) expect(await eventually(async () => (await valueOn(h, v, 'ssh').catch(() => undefined)) ?? false, `${h.name} to read dana’s secret`, 60_000)).toBe(SECRETS.person);
  }, 120_000);

  it('the CLI: vault create, ls, set, share, get, revoke, rm on real daemons, and team rm', async () => {
    const created = await a.json<{ id: string; type: string }>(['vault', 'create', 'cli-vault', '--type', 'project']);
    expect(created.type).toBe('project');
    const set = await meshWithStdin(['vault', 'set', 'cli-vault', 'cli-secret', '--kind', 'password', '--username', 'svc', '--home', a.home.dir], SECRETS.cli);
    expect(set.code, set.stderr).toBe(0);
    expect((await a.json<{ vaults: { name: string }[] }>(['vault', 'ls'])).vaults.map((v) => v.name)).toContain('cli-vault');
    const listed = await a.cli(['vault', 'ls', 'cli-vault', '--json']);
    expect((JSON.parse(listed.stdout) as { secrets: { name: string; username?: string }[] }).secrets).toMatchObject([{ name: 'cli-secret', username: 'svc' }]);
    expect(listed.stdout).not.toContain(SECRETS.cli);
    const shared = await a.json<{ granted: { peer: string }[] }>(['vault', 'share', 'cli-vault', '--host', ids.c, '--level', 'read']);
    expect(shared.granted.map((g) => g.peer)).toEqual([ids.c]);
    const readOnC = () => meshWithStdin(['vault', 'get', 'cli-vault', 'cli-secret', '--reason', 'cli test', '--home', c.home.dir], '');
    expect(await eventually(async () => ((await readOnC()).stdout === `${SECRETS.cli}\n` ? true : false), 'charlie to read through the CLI', 60_000)).toBe(true);
    const revoked = await a.json<{ revoked: string[]; generation: number; resealed: number }>(['vault', 'revoke', 'cli-vault', '--host', ids.c, '--reason', 'cli test done']);
    expect(revoked).toMatchObject({ revoked: [ids.c], generation: 1, resealed: 1 });
    await eventually(async () => (await vaultOn(c, created.id))?.generation === 1 || false, 'the rotation to reach charlie', 60_000);
    const afterRevoke = await readOnC();
    expect(afterRevoke.code).not.toBe(0);
    expect(afterRevoke.stdout).not.toContain(SECRETS.cli);
    expect((await a.json<{ deleted: boolean }>(['vault', 'rm', 'cli-vault', 'cli-secret', '--reason', 'cli test cleanup'])).deleted).toBe(true);
    expect((await a.json<{ secrets: unknown[] }>(['vault', 'ls', 'cli-vault'])).secrets).toEqual([]);
    // mesh team rm
    await a.json(['team', 'create', 'cli-team']);
    await a.json(['team', 'add', 'cli-team', ids.c]);
    expect((await a.json<{ removed: string }>(['team', 'rm', 'cli-team', ids.c])).removed).toBe(ids.c);
    expect((await a.json<{ members: { peer: string }[] }>(['team', 'show', 'cli-team'])).members.map((m) => m.peer)).toEqual([ids.a]);
  }, 120_000);

  it('every replica verifies every chain; a forged, reordered, dropped or truncated entry is reported by host and position', async () => {
    const verify = async (h: TestHost) => (await h.json<{ verified: { hosts: number; problems: Problem[] } }>(['vault', 'audit', '--verify'])).verified;
    // Every host's chain has reached bravo before it is tampered with.
    await eventually(async () => {
      const v = await verify(b);
      return v.hosts === 3 && v.problems.length === 0;
    }, 'three intact chains on bravo', 60_000);
    const intact = await b.cli(['vault', 'audit', '--verify']);
    expect(intact.code).toBe(0);
    await b.stop();
    const forgeReason = (text: string) => {
      const signed = JSON.parse(text) as { entry: Record<string, unknown>; sig: string };
      return JSON.stringify({ ...signed, entry: { ...signed.entry, reason: 'nothing to see' } });
    };
    // alpha's chain: entry 1 rewritten (its signature kept), entries 3 and 4 swapped; bravo's own: entry 1 deleted; charlie's: its last entry deleted.
    await tamperAuditChain(b.home.dir, ids.a, (e) => {
      const k = Object.keys(e).sort();
      return { [k[1]!]: forgeReason(e[k[1]!]!), [k[3]!]: e[k[4]!]!, [k[4]!]: e[k[3]!]! };
    });
    await tamperAuditChain(b.home.dir, ids.b, (e) => ({ [Object.keys(e).sort()[1]!]: undefined }));
    await tamperAuditChain(b.home.dir, ids.c, (e) => ({ [Object.keys(e).sort().at(-1)!]: undefined }));
    await b.start();
    const r = await b.cli(['vault', 'audit', '--verify', '--json']);
    expect(r.code).toBe(1);
    const problems = (JSON.parse(r.stdout) as { verified: { problems: Problem[] } }).verified.problems.map((p) => `${p.host}@${p.position}:${p.problem}`);
    expect(problems, problems.join(', ')).toContain(`${ids.a}@1:forged`);
    expect(problems, problems.join(', ')).toContain(`${ids.a}@3:reordered`);
    expect(problems, problems.join(', ')).toContain(`${ids.b}@1:dropped`);
    expect(problems.some((p) => p.startsWith(`${ids.c}@`) && p.endsWith(':truncated')), problems.join(', ')).toBe(true);
    // The honest hosts keep their chains whole: a rewrite is refused at their apply point.
    expect((await verify(a)).problems).toEqual([]);
  }, 180_000);

  it('removing a host from the mesh rotates every vault it was in, on an admin host, without being asked', async () => {
    const before = (await vaultOn(a, ops))!;
    expect(before.members.some((m) => m.peer === ids.b)).toBe(true);
    expect((await a.cli(['peers', 'remove', ids.b])).code).toBe(0);
    const after = await eventually(async () => {
      const v = await vaultOn(a, ops);
      return v && v.generation > before.generation ? v : false;
    }, 'the rotation after removal', 60_000);
    expect(after.members.some((m) => m.peer === ids.b)).toBe(false);
    expect(await valueOn(a, ops, 'db-password')).toBe(SECRETS.db);
  }, 120_000);

  it('no secret value is anywhere on any disk of any host, raw, base64 (any alignment), hex or UTF-16', async () => {
    await mcp?.close();
    mcp = undefined;
    // An export of the memories is a file a person keeps: it must not hold a vault value either.
    const exported = await a.cli(['export', '--out', join(a.home.dir, 'export.jsonl')]);
    expect(exported.code, exported.stderr).toBe(0);
    for (const h of [a, b, c]) await h.stop();
    const needles: [string, Buffer][] = [];
    for (const [label, value] of Object.entries(SECRETS)) {
      const raw = Buffer.from(value);
      needles.push([`${label} raw`, raw], [`${label} hex`, Buffer.from(raw.toString('hex'))], [`${label} HEX`, Buffer.from(raw.toString('hex').toUpperCase())], [`${label} utf16`, Buffer.from(value, 'utf16le')]);
      // Base64 of the value inside a longer text depends on its offset mod 3: characters 4-24 of each
      // shifted encoding come from the value's bytes alone, whatever precedes it.
      for (const shift of [0, 1, 2]) {
        const shifted = Buffer.concat([Buffer.alloc(shift), raw]);
        for (const enc of ['base64', 'base64url'] as const) needles.push([`${label} ${enc}+${shift}`, Buffer.from(shifted.toString(enc).slice(4, 24))]);
      }
    }
    const found: string[] = [];
    let files = 0;
    for (const h of [a, b, c]) {
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          const st = statSync(path);
          if (st.isDirectory()) walk(path);
          else if (st.isFile()) {
            files += 1;
            const bytes = readFileSync(path);
            for (const [what, needle] of needles) if (bytes.includes(needle)) found.push(`${path}: ${what}`);
          }
        }
      };
      walk(h.home.dir);
    }
    // And what each daemon wrote on stderr (its log) during the whole scenario.
    for (const h of [a, b, c]) for (const [what, needle] of needles) if (Buffer.from(h.log).includes(needle)) found.push(`${h.name} stderr: ${what}`);
    expect(files).toBeGreaterThan(20);
    expect(found).toEqual([]);
  }, 120_000);
});
