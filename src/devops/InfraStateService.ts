/**
 * Infrastructure state: each observation of (machine, state type) is a memory of category
 * `infrastructure` (kind `infra-state`) with the JSON in metadata and a sentence of what changed in
 * its content, so "when did postgres change on db-2" is also a search. An observation equal to the
 * latest one is not stored again: the latest record's `last_seen_at` moves instead (a cron run every
 * five minutes makes one record per change, not 288 a day). History, latest and the change list are
 * derived from the records in observation order, so records made on two hosts while apart merge
 * into one ordered history.
 */
import { DEVOPS_LIST_SCAN, MAX_INFRA_CHANGES } from './opsConstants.js';
import type { JsonValue, Memory } from '../domain/Memory.js';
import { type Call, hostTag, kindTag, listRecords, str, typeTag } from './devopsRecords.js';
import type { GetStateInput, TrackStateInput } from './infraSchemas.js';
import { refuseSecrets } from './secretGuard.js';
import { diffStates, type StateChange, whenText } from './stateChanges.js';

export const INFRA_CATEGORY = 'infrastructure';
export const INFRA_KIND = 'infra-state';

export interface StateRecord {
  id: string;
  machine: string;
  state_type: string;
  state: Record<string, JsonValue>;
  observed_at: string;
  last_seen_at: string;
  recorded_on: string;
}

function toRecord(m: Memory): StateRecord | undefined {
  const md = m.metadata;
  if (m.category !== INFRA_CATEGORY || md.kind !== INFRA_KIND || m.deleted) return undefined;
  const state = typeof md.state === 'object' && md.state !== null && !Array.isArray(md.state) ? md.state : {};
  const observed = str(md.observed_at, m.created_at);
  return { id: m.id, machine: str(md.machine), state_type: str(md.state_type), state, observed_at: observed, last_seen_at: str(md.last_seen_at, observed), recorded_on: m.machine };
}

const byObserved = (a: StateRecord, b: StateRecord) => a.observed_at.localeCompare(b.observed_at) || a.id.localeCompare(b.id);
const same = (a: JsonValue, b: JsonValue) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k]!)]));
  return v;
}

export class InfraStateService {
  constructor(private readonly call: Call) {}

  async track(input: TrackStateInput): Promise<{ record: StateRecord; changes: StateChange[]; unchanged: boolean }> {
    const machine = input.machine.toLowerCase();
    const type = input.state_type.toLowerCase();
    const state = input.state as Record<string, JsonValue>;
    await refuseSecrets(JSON.stringify(state, null, 1), 'state');
    const at = input.observed_at ? new Date(input.observed_at).toISOString() : new Date().toISOString();
    const history = await this.records(machine, type);
    const previous = history.filter((r) => r.observed_at <= at).at(-1);
    if (previous && same(previous.state, state)) {
      if (at > previous.last_seen_at) await this.call('memory.update', { memory_id: previous.id, metadata: { last_seen_at: at } });
      return { record: { ...previous, last_seen_at: at > previous.last_seen_at ? at : previous.last_seen_at }, changes: [], unchanged: true };
    }
    const changes = previous ? diffStates(machine, type, previous.state, state, at) : [];
    const head = `Infrastructure state of ${machine} (${type}) on ${whenText(at)}`;
    const body = changes.length ? changes.map((c) => c.text).join('\n') : `first record: ${JSON.stringify(state).slice(0, 2_000)}`;
    const m = await this.call('memory.store', {
      content: `${head}\n${body}`,
      category: INFRA_CATEGORY,
      tags: [kindTag(INFRA_KIND), hostTag(machine), typeTag(type)],
      metadata: { kind: INFRA_KIND, machine, state_type: type, state, observed_at: at, last_seen_at: at },
    });
    return { record: toRecord(m)!, changes, unchanged: false };
  }

  async get(input: GetStateInput): Promise<{ view: string; records?: StateRecord[]; changes?: StateChange[] }> {
    const view = input.view ?? 'latest';
    const all = await this.records(input.machine?.toLowerCase(), input.state_type?.toLowerCase());
    const since = input.since ? new Date(input.since).toISOString() : '';
    const limit = input.limit ?? (view === 'changes' ? MAX_INFRA_CHANGES : 50);
    const groups = new Map<string, StateRecord[]>();
    for (const r of all) groups.set(`${r.machine}\u0000${r.state_type}`, [...(groups.get(`${r.machine}\u0000${r.state_type}`) ?? []), r]);
    if (view === 'latest') {
      const latest = [...groups.values()].map((g) => g.at(-1)!).sort((a, b) => a.machine.localeCompare(b.machine) || a.state_type.localeCompare(b.state_type));
      return { view, records: latest.slice(0, limit) };
    }
    if (view === 'history') return { view, records: all.filter((r) => r.observed_at >= since).reverse().slice(0, limit) };
    const changes: StateChange[] = [];
    for (const g of groups.values()) {
      for (let i = 1; i < g.length; i++) {
        const cur = g[i]!;
        if (cur.observed_at >= since) changes.push(...diffStates(cur.machine, cur.state_type, g[i - 1]!.state, cur.state, cur.observed_at));
      }
    }
    changes.sort((a, b) => b.at.localeCompare(a.at) || a.path.localeCompare(b.path));
    return { view, changes: changes.slice(0, limit) };
  }

  /** Records of a machine and/or type in observation order (oldest first). */
  private async records(machine: string | undefined, type: string | undefined): Promise<StateRecord[]> {
    const tags = [kindTag(INFRA_KIND), ...(machine ? [hostTag(machine)] : []), ...(type ? [typeTag(type)] : [])];
    const found = await listRecords(this.call, INFRA_CATEGORY, tags, DEVOPS_LIST_SCAN);
    return found.map(toRecord).filter((r): r is StateRecord => r !== undefined).sort(byObserved);
  }
}
