import { CONFIG_DRIFT_MAX_KEYS, CONFIG_DRIFT_MAX_LINES } from '../constants.js';
import type { ParsedConfig } from './configKeys.js';

/** One system's latest config of a type, parsed. */
export interface SystemConfig {
  system: string;
  snapshot_id: string;
  sha256: string;
  parsed: ParsedConfig;
}

export interface KeyDeviation {
  key: string;
  /** This system's value; null when it does not set the key. */
  value: string | null;
  /** The value most systems have (null: most do not set it). */
  expected: string | null;
  expected_systems: string[];
}

export interface OddSystem {
  system: string;
  snapshot_id: string;
  /** The systems that deviate from the majority nowhere. */
  differs_from: string[];
  /** At most CONFIG_DRIFT_MAX_KEYS; `keys_total` counts them all. */
  keys: KeyDeviation[];
  keys_total: number;
  /** Meaningful lines only it has, and majority lines it lacks (at most CONFIG_DRIFT_MAX_LINES each). */
  lines: { added: string[]; missing: string[] };
  summary: string;
}

export interface SplitKey {
  key: string;
  groups: { value: string | null; systems: string[] }[];
}

export interface PeerDrift {
  systems: string[];
  /** Every system holds the same content. */
  identical: boolean;
  odd: OddSystem[];
  /** Keys on which no value has a strict majority: no odd one out can be named. */
  split: SplitKey[];
}

const show = (v: string | null) => (v === null ? 'unset' : v);

/**
 * Drift among systems of one config type: for each key, the value held by more than half of the
 * systems is the expected one, and a system holding anything else is an odd one out for that key.
 * Keys with no strict majority (two systems, or an even split) are reported as split instead, since
 * naming an odd one out there would be a guess. Lines are compared the same way: a line present on
 * more than half of the systems is expected.
 */
export function peerDrift(configs: readonly SystemConfig[], configType: string): PeerDrift {
  const systems = configs.map((c) => c.system);
  const n = configs.length;
  const identical = new Set(configs.map((c) => c.sha256)).size <= 1;
  if (identical || n < 2) return { systems, identical, odd: [], split: [] };

  const keys = [...new Set(configs.flatMap((c) => [...c.parsed.settings.keys()]))].sort();
  const deviations = new Map<string, KeyDeviation[]>(configs.map((c) => [c.system, []]));
  const split: SplitKey[] = [];
  for (const key of keys) {
    const groups = new Map<string | null, string[]>();
    for (const c of configs) {
      const v = c.parsed.settings.get(key) ?? null;
      groups.set(v, [...(groups.get(v) ?? []), c.system]);
    }
    if (groups.size === 1) continue;
    const ranked = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
    const [expected, holders] = ranked[0]!;
    if (holders.length * 2 <= n) {
      split.push({ key, groups: ranked.map(([value, s]) => ({ value, systems: s })) });
      continue;
    }
    for (const [value, members] of ranked.slice(1)) {
      for (const system of members) deviations.get(system)!.push({ key, value, expected, expected_systems: holders });
    }
  }

  const lineCount = new Map<string, number>();
  for (const c of configs) for (const line of new Set(c.parsed.lines)) lineCount.set(line, (lineCount.get(line) ?? 0) + 1);
  const majorityLines = [...lineCount].filter(([, k]) => k * 2 > n).map(([line]) => line);

  const conforming = systems.filter((s) => deviations.get(s)!.length === 0);
  const odd: OddSystem[] = [];
  for (const c of configs) {
    const keysOff = deviations.get(c.system)!;
    const own = new Set(c.parsed.lines);
    const added = [...own].filter((l) => (lineCount.get(l) ?? 0) * 2 <= n);
    const missing = majorityLines.filter((l) => !own.has(l));
    // Formatting alone (JSON whitespace, key order) is not drift: only settings name an odd one out.
    if (keysOff.length === 0) continue;
    const where = keysOff.slice(0, 5).map((d) => `${d.key} (${show(d.value)}; others ${show(d.expected)})`).join(', ') + (keysOff.length > 5 ? ` and ${keysOff.length - 5} more keys` : '');
    const others = conforming.filter((s) => s !== c.system);
    odd.push({
      system: c.system,
      snapshot_id: c.snapshot_id,
      differs_from: others,
      keys: keysOff.slice(0, CONFIG_DRIFT_MAX_KEYS),
      keys_total: keysOff.length,
      lines: { added: added.slice(0, CONFIG_DRIFT_MAX_LINES), missing: missing.slice(0, CONFIG_DRIFT_MAX_LINES) },
      summary: `${c.system}'s ${configType} differs from ${others.length ? others.join(', ') : 'the majority'} in ${where}`,
    });
  }
  return { systems, identical, odd, split: split.slice(0, CONFIG_DRIFT_MAX_KEYS) };
}
