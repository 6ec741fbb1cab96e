/**
 * Prints the operation list the memory property test (`test/property/partitions.test.ts`) draws
 * for a seed, without starting a daemon: the draws are the test's own (mulberry32, same order), so
 * a reported seed can be read as a schedule. Ids are the daemons' random ids in the real run; here a
 * memory is named by the operation that stored it (m3 = stored at op 3).
 *
 * What the draws do not fix is marked: an erase removes the memory from the later picks only when
 * it succeeded, which depends on replication. A simple model decides it (a write reaches every host
 * running at that moment; a host coming back gets what the running hosts hold), and every erase
 * prints its modelled outcome so a real log can be compared with it.
 *
 * Usage: node --import tsx scripts/replayPropertySeed.ts --seed 693271261 [--version current|2026-12-02]
 *   current     the test as it is now (odd shapes, joins through the founder)
 *   2026-12-02  the test as it ran on 2026-12-02 (c6828f8..3eb06d9^), when seed 693271261 failed;
 *               the test replays it with TEST_SCHEDULE=2026-12-02 TEST_SEED=693271261
 */
import { mulberry32 } from '../test/helpers/prng.js';
import { bigContent, deepMetadata, manyTags } from '../test/helpers/oddShapes.js';

const OPERATIONS = 40;
const MAX_BIG_STORES = 2;
const CATEGORIES = ['project', 'infrastructure', 'incidents', 'runbooks'] as const;
const TAGS = ['prod', 'staging', 'db', 'net', 'cache'] as const;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const seed = Number(arg('seed', '693271261'));
const version = arg('version', 'current');
if (version !== 'current' && version !== '2026-12-02') throw new Error(`unknown --version ${version}`);

const rand = mulberry32(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const hostCount = 3 + Math.floor(rand() * 2);
const hosts = Array.from({ length: hostCount }, (_, i) => `p${i + 1}`);
const running = new Set(hosts);
/** Which hosts hold each memory, in the simple replication model above. */
const holders = new Map<string, Set<string>>();
const acked = new Set<string>();
const erased = new Set<string>();
let bigStores = 0;
const lines: string[] = [`seed ${seed}, test version ${version}: ${hostCount} hosts`];
const has = (host: string, id: string) => holders.get(id)?.has(host) ?? false;
const note = (host: string, id: string) => (has(host, id) ? '' : ` [model: ${host} does not hold ${id} yet]`);

for (let op = 0; op < OPERATIONS; op++) {
  const r = rand();
  const up = [...running];
  const host = pick(up);
  if (r < 0.4 || acked.size === 0) {
    let kind = 'plain';
    if (version === 'current') {
      const shape = rand();
      const marker = `property note ${op} from ${host}`;
      if (shape < 0.1 && bigStores++ < MAX_BIG_STORES) {
        kind = `big (${bigContent(rand, marker).length} chars)`;
      } else if (shape < 0.22) {
        deepMetadata(rand);
        kind = 'deep';
      } else if (shape < 0.32) {
        manyTags(rand);
        kind = 'tags';
      } else TAGS.filter(() => rand() < 0.3);
    } else TAGS.filter(() => rand() < 0.3);
    const category = pick(CATEGORIES);
    const id = `m${op}`;
    acked.add(id);
    holders.set(id, new Set(running));
    lines.push(`${op} store ${kind} ${id} (${category}) on ${host}`);
  } else if (r < 0.62) {
    const id = pick([...acked]);
    const kind = pick(['content', 'tags', 'category', 'metadata'] as const);
    let detail = '';
    if (kind === 'tags') detail = ` -> [${TAGS.filter(() => rand() < 0.4).join(',')}]`;
    else if (kind === 'category') detail = ` -> ${pick(CATEGORIES)}`;
    else if (kind === 'metadata') detail = ` -> w${op}=${host}-op${op}`;
    lines.push(`${op} update ${kind} of ${id} on ${host}${detail}${note(host, id)}`);
  } else if (r < 0.7) {
    const id = pick([...acked]);
    lines.push(`${op} soft-delete ${id} on ${host}${note(host, id)}`);
  } else if (r < 0.75) {
    const id = pick([...acked]);
    const ok = has(host, id);
    if (ok) {
      acked.delete(id);
      erased.add(id);
    }
    lines.push(`${op} erase ${id} on ${host}: modelled ${ok ? 'ok' : 'refused NOT_FOUND'}`);
  } else if (r < 0.8) {
    lines.push(`${op} sync on ${host}`);
  } else {
    // partitionStep, draw for draw.
    const down = hosts.filter((h) => !running.has(h));
    if (down.length && (rand() < 0.5 || up.length === 1)) {
      const back = pick(down);
      running.add(back);
      for (const set of holders.values()) if ([...set].some((h) => running.has(h) && h !== back)) set.add(back);
      lines.push(`${op} restart ${back}`);
    } else if (up.length > 1) {
      const victim = pick(up);
      const hard = rand() < 0.5;
      running.delete(victim);
      lines.push(`${op} ${victim} ${hard ? 'SIGKILLed' : 'stopped'}`);
    }
  }
}
lines.push(`end: restart ${hosts.filter((h) => !running.has(h)).join(', ') || '(none down)'}; erased: ${[...erased].join(', ') || 'none'}`);
process.stdout.write(`${lines.join('\n')}\n`);
