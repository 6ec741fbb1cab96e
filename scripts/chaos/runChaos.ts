import { freePort } from '../../test/helpers/meshHosts.js';
import type { MethodName, ParamsOf } from '../../src/daemon/methodMap.js';
import { bringUpMesh } from './bringUpMesh.js';
import { ChaosHost } from './chaosHost.js';
import { chaosStateOf, compareStates, type ChaosExpectations } from './endCheck.js';
import { LoopbackNetwork } from './loopbackNetwork.js';
import type { ChaosNetwork } from './network.js';
import { NetnsNetwork } from './netnsNetwork.js';
import { chaosSchedule, type Step } from './schedule.js';

export interface ChaosOptions {
  seed: number;
  hosts: number;
  steps: number;
  /** `auto`: namespaces when root on Linux, loopback otherwise. */
  network: 'auto' | 'netns' | 'loopback';
  /** How long the healed mesh gets to converge before the run fails. */
  settleMs: number;
  /** Progress lines (one per step); the runner itself prints nothing. */
  onLine?: (line: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  seed: number;
  network: string;
  /** The command that replays this run's schedule. */
  replay: string;
  failures: string[];
  /** Step kinds run, and outcomes (ok / refused CODE / skipped). */
  counts: Record<string, number>;
  log: string[];
  opsMs: number;
  settleMs: number;
}

const CATEGORIES = ['project', 'infrastructure', 'incidents', 'runbooks'] as const;
const STATUSES = ['todo', 'in_progress', 'blocked', 'review', 'done'] as const;
/** Every daemon listens on this port inside its own namespace. */
const NETNS_PORT = 4100;

/** Clean-ups of the runs in progress, for a caller that must stop early (a test that timed out). */
const inProgress = new Set<() => Promise<void>>();

/** Kills every host and removes every namespace of the runs still in progress. */
export async function abortChaosRuns(): Promise<void> {
  await Promise.all([...inProgress].map((cleanup) => cleanup()));
}

export function replayCommand(o: Pick<ChaosOptions, 'seed' | 'hosts' | 'steps' | 'network'>): string {
  return `node --import tsx scripts/chaos/chaos.ts --seed ${o.seed} --hosts ${o.hosts} --steps ${o.steps}${o.network === 'auto' ? '' : ` --network ${o.network}`}`;
}

function pickNetwork(choice: ChaosOptions['network']): ChaosNetwork {
  if (choice === 'netns' || (choice === 'auto' && NetnsNetwork.available())) return new NetnsNetwork();
  return new LoopbackNetwork();
}

/**
 * Runs one seeded chaos schedule on real daemons, heals everything, and checks the end state:
 * one state everywhere (memories, soft deletes, board), every acknowledged write present, every
 * erasure everywhere, every host connected to every other. Cleans up whatever happens.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const net = pickNetwork(opts.network);
  const hosts: ChaosHost[] = [];
  const log: string[] = [];
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  const note = (line: string) => {
    log.push(line);
    opts.onLine?.(line);
  };
  const expect: ChaosExpectations = { memories: new Set(), erased: new Set(), witnesses: [], cards: new Set(), deletedCards: new Set(), comments: [] };
  const agents: string[] = [];
  const started = Date.now();
  let opsMs = 0;
  let settleMs = 0;
  const cleanup = async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
    await net.teardown();
  };
  inProgress.add(cleanup);
  try {
    await net.setup(opts.hosts);
    note(`network ${net.kind}${net instanceof NetnsNetwork ? ` (degrade: ${net.degradeKind})` : ''}, ${opts.hosts} hosts, seed ${opts.seed}`);
    for (let i = 0; i < opts.hosts; i++) {
      const host = new ChaosHost(i, `c${i}`, net.kind === 'netns' ? NETNS_PORT : await freePort(), net);
      hosts.push(host);
      await host.init();
    }
    await bringUpMesh(hosts);
    for (const h of hosts) {
      const out = await h.call('agent.register', { role: `chaos-${h.name}` }, { session: `s-${h.name}` });
      agents.push(out.agent.id);
    }
    note('mesh up');

    const opsStart = Date.now();
    const schedule = chaosSchedule(opts.seed, opts.hosts, opts.steps);
    for (const [n, step] of schedule.entries()) {
      const line = await runStep(step, hosts, net, expect, agents, n);
      count(`${step.kind} ${line.outcome}`);
      note(`${n} ${line.text}: ${line.outcome}`);
    }
    opsMs = Date.now() - opsStart;

    // Heal: every link back, every host running (a skewed host keeps its skew).
    for (let a = 0; a < hosts.length; a++) for (let b = a + 1; b < hosts.length; b++) await net.heal(a, b);
    for (const h of hosts) if (!h.running) await h.start();
    const skewed = hosts.find((h) => h.skew !== undefined);
    // The daily full-feed sweep, run now on the skewed host: it must find nothing to break.
    if (skewed) await skewed.call('mesh.sync', { full: true }).catch((err: { code?: string; message?: string }) => note(`full sweep on ${skewed.name}: ${err.code ?? err.message}`));
    note('healed; waiting for one state everywhere');

    const settleStart = Date.now();
    let last = '';
    for (;;) {
      try {
        const states = await Promise.all(hosts.map((h) => chaosStateOf(h)));
        const diff = compareStates(hosts, states, expect);
        if (diff.length === 0) break;
        last = diff.join('\n');
      } catch (err) {
        last = `reading a host's state: ${(err as Error).message}`;
      }
      if (Date.now() - settleStart > opts.settleMs) {
        failures.push(`not converged ${Math.round(opts.settleMs / 1000)} s after the heal:\n${last}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    settleMs = Date.now() - settleStart;
    for (const h of hosts) failures.push(...h.crashes);
    if (failures.length === 0) for (const id of expect.erased) for (const h of hosts) await expectErased(h, 'memory.retrieve', { memory_id: id }, failures);
    if (failures.length === 0) for (const id of expect.deletedCards) for (const h of hosts) await expectErased(h, 'task.get', { task_id: id }, failures);
  } catch (err) {
    failures.push(`runner: ${(err as Error).stack ?? String(err)}`);
  } finally {
    if (failures.length) for (const h of hosts) failures.push(`--- ${h.name} log tail:\n${tailOf(h.log)}`);
    await cleanup();
    inProgress.delete(cleanup);
  }
  note(`done in ${Math.round((Date.now() - started) / 1000)} s (operations ${Math.round(opsMs / 1000)} s, convergence ${Math.round(settleMs / 1000)} s)`);
  return { ok: failures.length === 0, seed: opts.seed, network: net.kind, replay: replayCommand(opts), failures, counts, log, opsMs, settleMs };
}

async function expectErased<N extends MethodName>(h: ChaosHost, method: N, params: ParamsOf<N>, failures: string[]): Promise<void> {
  const outcome = await h.call(method, params).then(
    () => 'present',
    (err: { code?: string }) => err.code ?? 'no code',
  );
  if (outcome !== 'ERASED') failures.push(`${method} ${JSON.stringify(params)} on ${h.name}: ${outcome}, expected ERASED`);
}

/** Warnings and errors of a host's log, and its lines about links and refusals, last ones first kept. */
function tailOf(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.includes('"level":30,') || /refus|reject|fail|diverg|conflict/i.test(l))
    .slice(-25)
    .join('\n');
}

function nextWhere(hosts: ChaosHost[], from: number, ok: (h: ChaosHost) => boolean): ChaosHost | undefined {
  for (let k = 0; k < hosts.length; k++) {
    const h = hosts[(from + k) % hosts.length]!;
    if (ok(h)) return h;
  }
  return undefined;
}

interface StepLine {
  text: string;
  outcome: string;
}

async function runStep(step: Step, hosts: ChaosHost[], net: ChaosNetwork, expect: ChaosExpectations, agents: string[], n: number): Promise<StepLine> {
  const running = hosts.filter((h) => h.running);
  switch (step.kind) {
    case 'cut':
    case 'cutOneWay':
    case 'degrade':
    case 'heal': {
      const text = `${step.kind} ${hosts[step.a]!.name}${step.kind === 'cutOneWay' ? '->' : '-'}${hosts[step.b]!.name}`;
      if (!net.linkFaults) return { text, outcome: 'skipped' };
      await net[step.kind](step.a, step.b);
      return { text, outcome: 'ok' };
    }
    case 'kill':
    case 'stop': {
      // The scheduled host, or the next one that is running.
      const h = nextWhere(hosts, step.host, (x) => x.running) ?? hosts[step.host]!;
      const text = `${step.kind} ${h.name}`;
      // Never the last one running: writes need a host.
      if (!h.running || running.length <= 1) return { text, outcome: 'skipped' };
      await h.stop(step.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
      return { text, outcome: 'ok' };
    }
    case 'restart': {
      // The scheduled host, or the next one that is down.
      const h = nextWhere(hosts, step.host, (x) => !x.running) ?? hosts[step.host]!;
      if (h.running) return { text: `restart ${h.name}`, outcome: 'skipped' };
      await h.start();
      return { text: `restart ${h.name}`, outcome: 'ok' };
    }
    case 'skew': {
      const h = hosts[step.host]!;
      if (h.running) await h.stop('SIGTERM');
      h.skew = `${step.minutes > 0 ? '+' : ''}${step.minutes}m`;
      await h.start();
      return { text: `skew ${h.name} ${h.skew}`, outcome: 'ok' };
    }
    default: {
      // An operation runs on its host, or the next running one.
      const h = hosts[step.host]!.running ? hosts[step.host]! : running[step.host % running.length]!;
      return { text: `${step.kind} on ${h.name}`, ...(await runOperation(step, h, expect, agents, n)) };
    }
  }
}

async function runOperation(step: Extract<Step, { r: number }>, h: ChaosHost, expect: ChaosExpectations, agents: string[], n: number): Promise<{ outcome: string; text?: string }> {
  const pickFrom = <T>(xs: readonly T[], r: number): T | undefined => xs[Math.floor(r * xs.length)];
  const attempt = async <N extends MethodName>(method: N, params: ParamsOf<N>): Promise<string> =>
    h.call(method, params, { agent: `chaos-${h.name}` }).then(
      () => 'ok',
      (err: { code?: string; message?: string }) => `refused ${err.code ?? err.message}`,
    );
  const memories = [...expect.memories];
  const liveCards = [...expect.cards].filter((c) => !expect.deletedCards.has(c));
  switch (step.kind) {
    case 'store': {
      const { id } = await h.call('memory.store', { content: `chaos note ${n} from ${h.name}`, category: pickFrom(CATEGORIES, step.r)! });
      expect.memories.add(id);
      return { outcome: 'ok', text: `store ${id.slice(0, 8)} on ${h.name}` };
    }
    case 'edit': {
      const id = pickFrom(memories, step.r);
      if (!id) return { outcome: 'skipped' };
      const key = `w${n}`;
      const value = `${h.name}-${n}`;
      const params = step.r2 < 0.5 ? { metadata: { [key]: value } } : { content: `chaos note edited at ${n} on ${h.name}` };
      const outcome = await attempt('memory.update', { memory_id: id, ...params });
      if (outcome === 'ok' && 'metadata' in params) expect.witnesses.push({ id, key, value });
      return { outcome, text: `edit ${id.slice(0, 8)} on ${h.name}` };
    }
    case 'softDelete':
    case 'erase': {
      const id = pickFrom(memories, step.r);
      if (!id) return { outcome: 'skipped' };
      const outcome = await attempt('memory.delete', { memory_id: id, hard_delete: step.kind === 'erase' });
      if (outcome === 'ok' && step.kind === 'erase') {
        expect.memories.delete(id);
        expect.erased.add(id);
      }
      return { outcome, text: `${step.kind} ${id.slice(0, 8)} on ${h.name}` };
    }
    case 'cardCreate': {
      const out = await h.call('task.create', { title: `chaos card ${n} on ${h.name}` }, { agent: `chaos-${h.name}` });
      expect.cards.add(out.id);
      return { outcome: 'ok', text: `card ${out.id.slice(0, 8)} on ${h.name}` };
    }
    case 'cardClaim': {
      const id = pickFrom(liveCards, step.r);
      if (!id) return { outcome: 'skipped' };
      const agent = pickFrom(agents, step.r2)!;
      return { outcome: await attempt('task.assign', { task_id: id, agent_id: agent }), text: `claim ${id.slice(0, 8)} for ${agent.slice(0, 8)} on ${h.name}` };
    }
    case 'cardMove': {
      const id = pickFrom(liveCards, step.r);
      if (!id) return { outcome: 'skipped' };
      const text = `moved at ${n} on ${h.name}`;
      const outcome = await attempt('task.update', { task_id: id, status: pickFrom(STATUSES, step.r2)!, force: true, comment: text });
      if (outcome === 'ok') expect.comments.push({ id, text });
      return { outcome, text: `move ${id.slice(0, 8)} on ${h.name}` };
    }
    case 'cardDelete': {
      const id = pickFrom(liveCards, step.r);
      if (!id) return { outcome: 'skipped' };
      const outcome = await attempt('task.delete', { task_id: id, force: true });
      if (outcome === 'ok') expect.deletedCards.add(id);
      return { outcome, text: `delete card ${id.slice(0, 8)} on ${h.name}` };
    }
    case 'sync':
      return { outcome: await attempt('mesh.sync', {}) };
  }
}
