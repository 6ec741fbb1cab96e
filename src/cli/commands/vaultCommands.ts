import type { Command } from 'commander';
import type { MethodName, ParamsOf, ResultOf } from '../../daemon/methodMap.js';
import { homePaths, resolveHome } from '../../home.js';
import { whoAmI } from '../../vault/whoami.js';
import type { VaultSummary } from '../../vault/VaultService.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printHint, printJson, printText } from '../output.js';
import { positiveNumber } from '../parsers.js';
import { readSecretValue } from '../secretInput.js';

/** The API's parameter names as this CLI spells them. */
const TERMS = { audit_reason: '--reason', expires_at: '--expires-at', level: '--level', host: '--host', team: '--team', person: '--person' };

async function call<N extends MethodName>(opts: CommonOptions, method: N, params: ParamsOf<N>): Promise<ResultOf<N>> {
  return withDaemon(opts, (c) => c.call(method, params));
}

const common = (cmd: Command) => cmd.option('--home <dir>', 'data directory').option('--json', 'print JSON');
const vaultLine = (v: VaultSummary) => `${v.name.padEnd(20)} ${v.id}  ${v.type.padEnd(8)} ${String(v.secrets).padStart(4)} secrets  gen ${v.generation}  ${v.members.length} members  ${v.access ?? 'no access'}`;

type Target = { host?: string; person?: string; team?: string };
const target = (o: Target) => ({ ...(o.host ? { host: o.host } : {}), ...(o.person ? { person: o.person } : {}), ...(o.team ? { team: o.team } : {}) });

/**
 * `mesh whoami`: this host's signing identity (its peer id) and its vault box key, with
 * fingerprints. Reads the home directly (no daemon): it creates the box key on first use, sealed
 * by MESH_PASSPHRASE when that is set.
 */
export function registerVaultCommands(program: Command): void {
  registerVaultSubcommands(program);
  program
    .command('whoami')
    .description("this host's peer id and key fingerprints (signing and vault box key)")
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const me = await whoAmI(homePaths(resolveHome(opts.home)), process.env['MESH_PASSPHRASE'] || undefined);
        if (opts.json) printJson(me);
        else {
          printText(
            [
              `name                 ${me.name}`,
              `peer id              ${me.peer_id}`,
              `signing fingerprint  ${me.signing_fingerprint}`,
              `box key fingerprint  ${me.box_fingerprint}${me.box_key_sealed ? ' (sealed by a passphrase)' : ''}`,
            ].join('\n'),
          );
        }
      } catch (err) {
        fail(err);
      }
    });
}

/** `mesh vault …`: the vault for people and scripts. Secret values come from stdin or a hidden prompt, never argv. */
function registerVaultSubcommands(program: Command): void {
  const vault = program.command('vault').description('NaCl-encrypted vaults: secrets every host replicates and only members open, every access audited');
  common(vault.command('create <name>').description('create a vault (this host is its admin)').option('--type <type>', 'personal, team, project or shared', 'personal').option('--team <team>', 'for a team vault: the team given write access'))
    .action(async (name: string, o: CommonOptions & { type: ParamsOf<'vault.create'>['type']; team?: string }) => {
      try {
        const v = await call(o, 'vault.create', { name, type: o.type, ...(o.team ? { team: o.team } : {}) });
        if (o.json) printJson(v);
        else printText(`created ${vaultLine(v)}`);
      } catch (err) {
        fail(err, TERMS);
      }
    });
  common(vault.command('ls [vault]').description('list vaults, or the secrets of one vault (names and metadata, never values)').option('--all', 'also vaults this host replicates but cannot open'))
    .action(async (ref: string | undefined, o: CommonOptions & { all?: boolean }) => {
      try {
        if (ref === undefined) {
          const r = await call(o, 'vault.list', { all: o.all ?? false });
          if (o.json) printJson(r);
          else printText(r.vaults.length ? r.vaults.map(vaultLine).join('\n') : 'no vaults');
          return;
        }
        const r = await call(o, 'vault.secrets', { vault: ref });
        if (o.json) printJson(r);
        else printText(r.secrets.length ? r.secrets.map((s) => `${s.name.padEnd(30)} ${s.kind.padEnd(12)} ${s.username ?? ''} ${s.url ?? ''}`.trimEnd()).join('\n') : 'no secrets');
      } catch (err) {
        fail(err, TERMS);
      }
    });
  common(
    vault
      .command('set <vault> <name>')
      .description('store a secret; the value is read from stdin or a hidden prompt, never from the command line')
      .option('--kind <kind>', 'api_key, password, token, ssh_key, certificate, connection_string, note, other')
      .option('--url <url>')
      .option('--username <name>')
      .option('--notes <text>')
      .option('--expires-at <iso>', 'when the secret itself expires'),
  ).action(async (ref: string, name: string, o: CommonOptions & { kind?: ParamsOf<'vault.put'>['kind']; url?: string; username?: string; notes?: string; expiresAt?: string }) => {
    try {
      const value = await readSecretValue(`value for ${name}: `);
      const r = await call(o, 'vault.put', { vault: ref, name, value, ...(o.kind ? { kind: o.kind } : {}), ...(o.url ? { url: o.url } : {}), ...(o.username ? { username: o.username } : {}), ...(o.notes ? { notes: o.notes } : {}), ...(o.expiresAt ? { expires_at: o.expiresAt } : {}) });
      if (o.json) printJson(r);
      else printText(`stored ${r.name} in ${r.vault} (generation ${r.generation})`);
    } catch (err) {
      fail(err, TERMS);
    }
  });
  common(vault.command('get <vault> <name>').description('print a secret value (audited: --reason is required)').requiredOption('--reason <why>', 'why you need it (recorded in the signed audit log)'))
    .action(async (ref: string, name: string, o: CommonOptions & { reason: string }) => {
      try {
        const r = await call(o, 'vault.get', { vault: ref, name, audit_reason: o.reason });
        if (o.json) printJson(r);
        else process.stdout.write(`${r.value}\n`); // the value exactly, for $(mesh vault get …)
      } catch (err) {
        fail(err, TERMS);
      }
    });
  common(vault.command('rm <vault> <name>').description('delete a secret (audited)').option('--reason <why>'))
    .action(async (ref: string, name: string, o: CommonOptions & { reason?: string }) => {
      try {
        const r = await call(o, 'vault.delete', { vault: ref, name, ...(o.reason ? { reason: o.reason } : {}) });
        if (o.json) printJson(r);
        else printText(`deleted ${r.name} from ${r.vault}`);
      } catch (err) {
        fail(err, TERMS);
      }
    });
  common(
    vault
      .command('share <vault>')
      .description('give a host, a person (the team of their hosts) or a team access')
      .option('--host <host>', 'peer id or host name')
      .option('--person <name>', 'the team of that person\'s hosts')
      .option('--team <team>')
      .option('--level <level>', 'read, write or admin', 'read')
      .option('--expires-at <iso>', 'when the access ends'),
  ).action(async (ref: string, o: CommonOptions & Target & { level: ParamsOf<'vault.share'>['level']; expiresAt?: string }) => {
    try {
      const r = await call(o, 'vault.share', { vault: ref, ...target(o), level: o.level, ...(o.expiresAt ? { expires_at: o.expiresAt } : {}) });
      if (o.json) printJson(r);
      else {
        printText(`shared ${r.vault} with ${r.granted.map((g) => g.name ?? g.peer).join(', ')}`);
        for (const s of r.skipped) printHint(`skipped ${s.peer}: ${s.reason}`);
      }
    } catch (err) {
      fail(err, TERMS);
    }
  });
  common(vault.command('revoke <vault>').description('take a host, person or team out; rotates the vault key and re-seals every secret in the same step').option('--host <host>').option('--person <name>').option('--team <team>').option('--reason <why>'))
    .action(async (ref: string, o: CommonOptions & Target & { reason?: string }) => {
      try {
        const r = await call(o, 'vault.revoke', { vault: ref, ...target(o), ...(o.reason ? { reason: o.reason } : {}) });
        if (o.json) printJson(r);
        else printText(`revoked ${r.revoked.join(', ')}; ${r.vault} is at generation ${r.generation} (${r.resealed} secrets re-sealed)`);
      } catch (err) {
        fail(err, TERMS);
      }
    });
  common(vault.command('audit').description('the audit log of every host; --verify checks every chain (exit 1 when an entry was forged, reordered, dropped or truncated)').option('--vault <vault>').option('--host <host>').option('--limit <n>', 'entries shown (default 50)', positiveNumber).option('--verify'))
    .action(async (o: CommonOptions & { vault?: string; host?: string; limit?: number; verify?: boolean }) => {
      try {
        const r = await call(o, 'vault.audit', {
          ...(o.vault ? { vault: o.vault } : {}),
          ...(o.host ? { host: o.host } : {}),
          ...(o.limit ? { limit: o.limit } : {}),
          verify: o.verify ?? false,
        });
        if (o.json) printJson(r);
        else {
          printText(r.entries.map((e) => `${e.at} ${(e.host_name ?? e.host.slice(-8)).padEnd(12)} #${e.seq} ${e.actor} ${e.action} ${e.vault}${e.secret ? `/${e.secret}` : ''}${e.reason ? ` (${e.reason})` : ''}`).join('\n') || 'no audit entries');
          if (r.verified) printText(r.verified.problems.length ? r.verified.problems.map((p) => `PROBLEM ${p.host_name ?? p.host} position ${p.position}: ${p.problem}`).join('\n') : `verified ${r.verified.entries} entries in ${r.verified.hosts} chains: intact`);
        }
        if (r.verified && r.verified.problems.length > 0) process.exit(1);
      } catch (err) {
        fail(err, TERMS);
      }
    });
}
