import { afterAll, describe, expect, it } from 'vitest';
import { callDaemon, eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';
import type { MethodName, ParamsOf, ResultOf } from '../../src/daemon/methodMap.js';
import { partitionStep } from '../helpers/partitionStep.js';
import { mulberry32 } from '../helpers/prng.js';
import { bigContent, deepMetadata, manyTags } from '../helpers/oddShapes.js';

/** A memory as every host must end up holding it: the whole view, not a digest of it. */
interface View {
  id: string;
  content: string;
  category: string;
  tags: string[];
  metadata: Record<string, unknown>;
  deleted: boolean;
}

const SEED = Number(process.env['TEST_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
/**
 * `TEST_SCHEDULE=2026-12-02`: stores draw as the test did on 2026-12-02 (plain notes only, no shape
 * draw), so a seed reported then replays its schedule exactly (seed 693271261; see
 * scripts/replayPropertySeed.ts, which prints either schedule without daemons).
 */
const PLAIN_STORES_ONLY = process.env['TEST_SCHEDULE'] === '2026-12-02';
const OPERATIONS = 40;
const MAX_BIG_STORES = 2;
const CATEGORIES = ['project', 'infrastructure', 'incidents', 'runbooks'] as const;
const TAGS = ['prod', 'staging', 'db', 'net', 'cache'] as const;

const call = <N extends MethodName>(host: TestHost, method: N, params: ParamsOf<N>): Promise<ResultOf<N>> => callDaemon(host, method, params);

/** Everything a host holds: live and soft-deleted memories, by id, as full views. */
async function stateOf(host: TestHost): Promise<Map<string, View>> {
  const live = await call(host, 'memory.recent', { hours: 24 * 365, limit: 500 });
  const deleted = await call(host, 'memory.listDeleted', { limit: 500 });
  return new Map([...live.results, ...deleted.results].map((m) => [m.id, m]));
}

/**
 * Invariant 1 of the design, on real daemons: random stores (some large or oddly shaped: big
 * multi-byte content, metadata as deep as allowed, the most and longest tags), edits (text, tags, category,
 * metadata keys), soft deletes, erasures and extra pulls on 3–4 hosts, while hosts are stopped,
 * SIGKILLed and restarted at random (a stopped host is a partition: it misses every write made
 * meanwhile and must catch up from its own log and its peers' feeds). After the heal, every host
 * holds exactly the same views, every acknowledged store and metadata key is there unless the
 * memory was later erased, and every erased id reads as erased everywhere.
 */
describe('convergence under random partitions, restarts and SIGKILL', () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  it(`all peers converge and no acknowledged write is lost (seed ${SEED})`, { timeout: 240_000 }, async () => {
    process.stderr.write(`[property] seed ${SEED} (replay with ${PLAIN_STORES_ONLY ? 'TEST_SCHEDULE=2026-12-02 ' : ''}TEST_SEED=${SEED})\n`);
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const hostCount = 3 + Math.floor(rand() * 2);
    for (let i = 1; i <= hostCount; i++) hosts.push(await TestHost.create(`p${i}`));
    await hosts[0]!.start();
    // Every host joins through the founder: only an admin invites (signed membership, issue 19).
    for (let i = 1; i < hosts.length; i++) await joinMesh(hosts[0]!, hosts[i]!);
    for (const h of hosts) await eventually(async () => (await h.json<{ peers: unknown[] }>(['peers'])).peers.length === hostCount, `${h.name} knows every member`, 60_000);

    const running = new Set(hosts);
    let bigStores = 0;
    const acked = new Set<string>();
    const erased = new Set<string>();
    /** Metadata keys set by acknowledged updates: keys merge one by one, so none may be lost. */
    const witnesses: { id: string; key: string; value: string }[] = [];
    const log: string[] = [`${hostCount} hosts`];
    const tryCall = <N extends MethodName>(host: TestHost, method: N, params: ParamsOf<N>) =>
      call(host, method, params).then(
        () => 'ok',
        (err: { code?: string }) => `refused ${err.code ?? ''}`,
      );

    for (let op = 0; op < OPERATIONS; op++) {
      const r = rand();
      const up = [...running];
      const host = pick(up);
      if (r < 0.4 || acked.size === 0) {
        // A fraction of writes are legal but oddly shaped (issue #10: one such memory stalled replication).
        const shape = PLAIN_STORES_ONLY ? 1 : rand();
        const marker = `property note ${op} from ${host.name}`;
        const input =
          // At most two big ones a run: embedding 65,000 characters costs seconds on every host.
          shape < 0.1 && bigStores++ < MAX_BIG_STORES
            ? { content: bigContent(rand, marker), kind: 'big' }
            : shape < 0.22
              ? { content: marker, metadata: deepMetadata(rand), kind: 'deep' }
              : shape < 0.32
                ? { content: marker, tags: manyTags(rand), kind: 'tags' }
                : { content: marker, tags: TAGS.filter(() => rand() < 0.3), kind: 'plain' };
        const { kind: shapeKind, ...params } = input;
        const { id } = await call(host, 'memory.store', { ...params, category: pick(CATEGORIES) });
        acked.add(id);
        log.push(`${op} store ${shapeKind} ${id.slice(0, 8)} on ${host.name}`);
      } else if (r < 0.62) {
        // An edit of one field kind; the memory may not have reached this host yet, or be deleted.
        const id = pick([...acked]);
        const kind = pick(['content', 'tags', 'category', 'metadata'] as const);
        const value = `${host.name}-op${op}`;
        const params =
          kind === 'content'
            ? { content: `property note edited at ${op} on ${host.name}` }
            : kind === 'tags'
              ? { tags: TAGS.filter(() => rand() < 0.4) }
              : kind === 'category'
                ? { category: pick(CATEGORIES) }
                : { metadata: { [`w${op}`]: value } };
        const outcome = await tryCall(host, 'memory.update', { memory_id: id, ...params });
        if (outcome === 'ok' && kind === 'metadata') witnesses.push({ id, key: `w${op}`, value });
        log.push(`${op} update ${kind} of ${id.slice(0, 8)} on ${host.name}: ${outcome}`);
      } else if (r < 0.7) {
        const id = pick([...acked]);
        log.push(`${op} soft-delete ${id.slice(0, 8)} on ${host.name}: ${await tryCall(host, 'memory.delete', { memory_id: id })}`);
      } else if (r < 0.75) {
        const id = pick([...acked]);
        const outcome = await tryCall(host, 'memory.delete', { memory_id: id, hard_delete: true });
        if (outcome === 'ok') {
          acked.delete(id);
          erased.add(id);
        }
        log.push(`${op} erase ${id.slice(0, 8)} on ${host.name}: ${outcome}`);
      } else if (r < 0.8) {
        // Duplicate delivery: an extra pull re-offers what the host already has.
        await call(host, 'mesh.sync', {}).catch(() => undefined);
        log.push(`${op} sync on ${host.name}`);
      } else {
        const event = await partitionStep(hosts, running, rand);
        if (event) log.push(`${op} ${event}`);
      }
    }
    // Heal: every host back up.
    for (const h of hosts) if (!running.has(h)) await h.start();
    // Tells a test timeout during the operations (a slow machine) from one while waiting to converge.
    process.stderr.write(`[property] operations done at ${new Date().toISOString()}; waiting for convergence\n`);

    const signature = async (h: TestHost) => JSON.stringify([...(await stateOf(h)).values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
    await eventually(
      async () => {
        const sigs = await Promise.all(hosts.map(signature));
        return sigs.every((s) => s === sigs[0]);
      },
      `convergence (seed ${SEED})\n${log.join('\n')}`,
      120_000,
    ).catch(async (err: Error) => {
      const states = await Promise.all(
        hosts.map(async (h) => `${h.name}: ${[...(await stateOf(h)).values()].map((v) => `${v.id.slice(0, 8)}${v.deleted ? '(del)' : ''}=${v.content.slice(-28)} ${v.category} [${v.tags.join(',')}] ${JSON.stringify(v.metadata)}`).sort().join(' | ')}`),
      );
      throw new Error(`${err.message}\n${states.join('\n')}`);
    });

    const final = await stateOf(hosts[0]!);
    const context = `(seed ${SEED})\n${log.join('\n')}`;
    for (const id of acked) expect(final.has(id), `acknowledged store ${id} ${context}`).toBe(true);
    for (const w of witnesses) if (!erased.has(w.id)) expect(final.get(w.id)?.metadata[w.key], `acknowledged metadata ${w.key} on ${w.id} ${context}`).toBe(w.value);
    for (const id of erased) {
      expect(final.has(id), `erased ${id} still held ${context}`).toBe(false);
      for (const h of hosts) expect((await h.cli(['get', id])).stderr, `${id} erased on ${h.name} ${context}`).toMatch(/was erased/);
    }
  });
});
