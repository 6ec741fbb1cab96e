import { readFile, stat } from 'node:fs/promises';
import { DOCTOR_HEALTH_TIMEOUT_MS } from '../../constants.js';
import type { DaemonHealth } from '../../daemon/health.js';
import { toMeshError } from '../../errors.js';
import { DaemonClient } from '../../ipc/DaemonClient.js';
import { cliAgent } from '../context.js';
import { clockOf, clockWarnings } from '../clockReport.js';
import { result, type CheckResult, type DaemonProbe, type DoctorContext } from './DoctorCheck.js';

/** Damaged ids listed on one doctor line before "and N more". */
const LISTED_IDS = 10;

/**
 * Asks the daemon for its health. Only a socket nobody accepts on, with no live process in the
 * pid file, is "not running": an error answer or a timeout is a daemon in trouble, never absent.
 */
export async function probeDaemon(ctx: Pick<DoctorContext, 'paths'>): Promise<DaemonProbe> {
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(ctx.paths.socket, { agent: cliAgent() });
  } catch (err) {
    const pid = await livePid(ctx.paths.pidFile);
    if (pid !== undefined) return { state: 'unhealthy', reason: `process ${pid} holds the pid file but the socket does not answer (${toMeshError(err).message}); it may still be starting (index rebuild) or be stuck` };
    return { state: 'absent', reason: toMeshError(err).message };
  }
  try {
    return { state: 'running', health: await client.call('daemon.health', {}, { timeoutMs: DOCTOR_HEALTH_TIMEOUT_MS }) };
  } catch (err) {
    const e = toMeshError(err);
    return { state: 'unhealthy', reason: `the daemon answered ${e.code}: ${e.message}` };
  } finally {
    client.close();
  }
}

async function livePid(pidFile: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still a live process.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** Runs `fn` on the health when the daemon answered; nothing otherwise (the daemon line says why). */
async function whenRunning(ctx: DoctorContext, fn: (h: DaemonHealth) => CheckResult[] | Promise<CheckResult[]>): Promise<CheckResult[]> {
  const probe = await ctx.daemon();
  return probe.state === 'running' ? fn(probe.health) : [];
}

export async function daemonRunning(ctx: DoctorContext): Promise<CheckResult[]> {
  const probe = await ctx.daemon();
  if (probe.state === 'running') return [result('daemon', 'ok', `running, pid ${probe.health.pid}, up ${probe.health.uptime_s} s`)];
  if (probe.state === 'absent') {
    const stale = await stat(ctx.paths.socket).then(() => true, () => false);
    return [
      result('daemon', 'warn', 'not running (mesh mcp starts it; or run `mesh daemon`)'),
      ...(stale ? [result('socket', 'warn', `stale socket ${ctx.paths.socket}; the next daemon start removes it`)] : []),
    ];
  }
  return [result('daemon', 'fail', `${probe.reason}; see ${ctx.paths.logDir}/daemon.log`)];
}

export function socketMode(ctx: DoctorContext): Promise<CheckResult[]> {
  return whenRunning(ctx, async () => {
    const mode = (await stat(ctx.paths.socket)).mode & 0o777;
    return [result('socket', mode & 0o077 ? 'fail' : 'ok', `${ctx.paths.socket} mode ${mode.toString(8)}`)];
  });
}

/** The keyword index answers queries; while it is rebuilt searches are keyword-less (a warning, not a failure). */
export function keywordIndex(ctx: DoctorContext): Promise<CheckResult[]> {
  return whenRunning(ctx, ({ index }) => [result('keyword index', index.state === 'ok' ? 'ok' : index.state === 'rebuilding' ? 'warn' : 'fail', index.detail)]);
}

export function vectorIndex(ctx: DoctorContext): Promise<CheckResult[]> {
  return whenRunning(ctx, ({ vectors }) => [result('vector index', vectors.state === 'ok' ? 'ok' : vectors.state === 'failed' ? 'fail' : 'warn', vectors.detail)]);
}

/** Replication started and listens: a host that cannot listen receives nothing from peers that dial it. */
export function replication(ctx: DoctorContext): Promise<CheckResult[]> {
  return whenRunning(ctx, ({ replication: r }) => {
    if (!r.running) return [result('replication', 'fail', `not running: ${r.error ?? 'not started'}`)];
    if (r.listening.length === 0) return [result('replication', 'fail', 'running but listening on no address (see `mesh daemon --listen`, MESH_P2P_LISTEN)')];
    return [result('replication', 'ok', `listening on ${r.listening.join(', ')}; ${r.connected} of ${r.members} member(s) connected`)];
  });
}

/** Documents the store cannot read back, and LevelDB's own reports of dropped bytes. */
export function storeIntegrity(ctx: DoctorContext): Promise<CheckResult[]> {
  return whenRunning(ctx, ({ store }) => {
    const out: CheckResult[] = [];
    if (store.damaged.length === 0) out.push(result('documents', 'ok', `no damaged documents (last verified ${store.verified_at ?? 'never'})`));
    else {
      const listed = store.damaged.slice(0, LISTED_IDS).map((d) => `${d.collection}/${d.id}`).join(', ');
      const more = store.damaged.length > LISTED_IDS ? ` and ${store.damaged.length - LISTED_IDS} more` : '';
      out.push(result('documents', 'fail', `${store.damaged.length} damaged: ${listed}${more}; they are re-fetched from peers that have them, or can be erased (mesh rm ID --hard)`));
    }
    // History, not state: what was lost is in the damaged list above until it is re-fetched or erased.
    if (store.log_reports.length > 0) out.push(result('store log', 'warn', `since this start: ${store.log_reports.slice(-3).join(' | ')}`));
    return out;
  });
}

/** Per-document sync failures reported by the sync engine (skipped documents), when it reports them. */
export function syncFailures(ctx: DoctorContext): Promise<CheckResult[]> {
  return whenRunning(ctx, ({ sync_failures: failures }) => {
    if (failures === undefined) return [];
    if (failures.length === 0) return [result('sync', 'ok', 'no document failed to sync')];
    const listed = failures.slice(0, LISTED_IDS).map((f) => `${f.collection}/${f.id} (${f.reason})`).join(', ');
    return [result('sync', 'warn', `${failures.length} document(s) skipped by sync: ${listed}`)];
  });
}

/** Peers whose clocks differ from this host's by more than the bound (measured on each connection). */
export async function clocks(ctx: DoctorContext): Promise<CheckResult[]> {
  if ((await ctx.daemon()).state !== 'running') return [];
  let client: DaemonClient | undefined;
  try {
    client = await DaemonClient.connect(ctx.paths.socket, { agent: cliAgent() });
    const clock = clockOf(await client.call('daemon.status', {}, { timeoutMs: DOCTOR_HEALTH_TIMEOUT_MS }));
    if (!clock) return [];
    const warnings = clockWarnings(clock);
    return [result('clocks', warnings.length ? 'warn' : 'ok', warnings.length ? warnings.map((w) => w.replace(/^clock: /, '')).join('; ') : `peers within ${Math.round(clock.max_skew_ms / 60_000)} min of this host`)];
  } catch {
    return [];
  } finally {
    client?.close();
  }
}
