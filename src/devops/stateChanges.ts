/**
 * What changed between two observations of a machine's state: the JSON flattened to dotted paths
 * (`postgres.version`, `services.nginx`), compared leaf by leaf. Pure, so every host derives the
 * same change list from the same records.
 */
import type { JsonValue } from '../domain/Memory.js';

export interface StateChange {
  machine: string;
  state_type: string;
  path: string;
  from: JsonValue | null;
  to: JsonValue | null;
  at: string;
  /** "postgres.version went from 15.4 to 16.1 on db-2 on Tuesday 2026-12-01". */
  text: string;
}

/** Leaves of a JSON value by dotted path; arrays of scalars count as one value. */
export function flatten(value: JsonValue, prefix = '', out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    if (Object.keys(value).length === 0 && prefix) out.set(prefix, {});
  } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else out.set(prefix || '(state)', value);
  return out;
}

const show = (v: JsonValue | null) => (v === null ? 'nothing' : typeof v === 'string' ? v : JSON.stringify(v));
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function whenText(at: string): string {
  const d = new Date(at);
  return `${DAYS[d.getUTCDay()]} ${at.slice(0, 10)}`;
}

export function changeText(c: Omit<StateChange, 'text'>): string {
  const where = `on ${c.machine} on ${whenText(c.at)}`;
  if (c.from === null) return `${c.path} appeared (${show(c.to)}) ${where}`;
  if (c.to === null) return `${c.path} went away (was ${show(c.from)}) ${where}`;
  return `${c.path} went from ${show(c.from)} to ${show(c.to)} ${where}`;
}

export function diffStates(machine: string, stateType: string, before: JsonValue, after: JsonValue, at: string): StateChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const changes: StateChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const from = a.has(path) ? a.get(path)! : null;
    const to = b.has(path) ? b.get(path)! : null;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    const c = { machine, state_type: stateType, path, from, to, at };
    changes.push({ ...c, text: changeText(c) });
  }
  return changes;
}
