import { mulberry32 } from '../../test/helpers/prng.js';

/**
 * A chaos schedule: a pure function of (seed, hosts, steps), so a seed replays the same steps.
 * What a step acts on at run time (which memory, which card) is chosen by its `r` in [0, 1) from
 * the list as it then is, so the choice is the same on a replay whenever the outcomes before it
 * were the same (a write refused because it had not replicated yet can differ under other timing).
 */
export type Step =
  | { kind: 'store' | 'edit' | 'softDelete' | 'erase' | 'cardCreate' | 'cardClaim' | 'cardMove' | 'cardDelete' | 'sync'; host: number; r: number; r2: number }
  | { kind: 'cut' | 'cutOneWay' | 'degrade' | 'heal'; a: number; b: number }
  | { kind: 'kill' | 'stop' | 'restart'; host: number }
  /** Restart `host` with its wall clock shifted by `minutes` (faketime), at most once a run. */
  | { kind: 'skew'; host: number; minutes: number };

const WEIGHTS: [Step['kind'], number][] = [
  ['store', 20],
  ['edit', 14],
  ['softDelete', 5],
  ['erase', 5],
  ['cardCreate', 7],
  ['cardClaim', 5],
  ['cardMove', 6],
  ['cardDelete', 2],
  ['sync', 2],
  ['cut', 7],
  ['cutOneWay', 4],
  ['degrade', 4],
  ['heal', 8],
  ['kill', 4],
  ['stop', 2],
  ['restart', 6],
  ['skew', 2],
];

/**
 * Skews of minutes, either way, inside the 5 minutes the mesh tolerates (MAX_CLOCK_SKEW_MS): a
 * host further behind holds others' erasures until its clock reaches their date, by design
 * (test/integration/clocks.test.ts), so the end check could not expect them everywhere yet.
 */
const SKEW_MINUTES = [-4, -2, 2, 4];

export function chaosSchedule(seed: number, hosts: number, steps: number): Step[] {
  const rand = mulberry32(seed);
  const total = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const host = () => Math.floor(rand() * hosts);
  const pair = (): [number, number] => {
    const a = host();
    const b = (a + 1 + Math.floor(rand() * (hosts - 1))) % hosts;
    return [a, b];
  };
  const out: Step[] = [];
  let skewed = false;
  while (out.length < steps) {
    let x = rand() * total;
    let kind: Step['kind'] = 'store';
    for (const [k, w] of WEIGHTS) {
      if ((x -= w) < 0) {
        kind = k;
        break;
      }
    }
    if (kind === 'cut' || kind === 'cutOneWay' || kind === 'degrade' || kind === 'heal') {
      const [a, b] = pair();
      out.push({ kind, a, b });
    } else if (kind === 'kill' || kind === 'stop' || kind === 'restart') {
      out.push({ kind, host: host() });
    } else if (kind === 'skew') {
      if (skewed) continue;
      skewed = true;
      out.push({ kind, host: host(), minutes: SKEW_MINUTES[Math.floor(rand() * SKEW_MINUTES.length)]! });
    } else {
      out.push({ kind, host: host(), r: rand(), r2: rand() });
    }
  }
  return out;
}
