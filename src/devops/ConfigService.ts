import { createHash } from 'node:crypto';
import { diff as diffLibrary } from './lazyLibraries.js';
import { CONFIG_DRIFT_MAX_KEYS, CONFIG_SCAN_LIMIT } from '../constants.js';
import type { JsonValue, Memory } from '../domain/Memory.js';
import type { MemoryService } from '../domain/MemoryService.js';
import { InvalidInputError, MeshError, NotFoundError } from '../errors.js';
import type { Actor } from '../types.js';
import { peerDrift, type PeerDrift, type SystemConfig } from './configDrift.js';
import { parseConfig, settingChanges, type SettingChange } from './configKeys.js';
import type { CompareConfigSnapshotsInput, CreateConfigSnapshotInput, DetectConfigDriftInput, GetConfigHistoryInput } from './configSchemas.js';
import { refuseSecrets } from './configSecrets.js';

/**
 * Config snapshots (docs/ARCHITECTURE.md "Config snapshots and drift"): memories of category
 * `infrastructure`. The file's text is a `config_content` memory found by its SHA-256 (tag
 * `sha256:<40 hex>`), stored once however many snapshots point at it; a `config_snapshot` memory
 * records system, type, path, hash and time and points at it. Both replicate, merge, erase and
 * are searched like any memory.
 */
export const CONFIG_CATEGORY = 'infrastructure';
export const SNAPSHOT_TAG = 'config-snapshot';
export const CONTENT_TAG = 'config-content';

export interface ConfigSnapshot {
  id: string;
  system: string;
  config_type: string;
  path: string;
  sha256: string;
  content_id: string;
  taken_at: string;
  /** Last time a snapshot found the same content unchanged (a cron run that saw no change). */
  confirmed_at: string | null;
  baseline: boolean;
  machine: string;
}

export interface ConfigDiff {
  from: ConfigSnapshot;
  to: ConfigSnapshot;
  identical: boolean;
  format: string;
  changes: SettingChange[];
  unified: string;
}

export interface BaselineDrift {
  system: string;
  baseline_id: string;
  latest_id: string;
  drifted: boolean;
  changes: SettingChange[];
}

export interface DriftReport {
  config_type: string;
  systems: string[];
  peers: PeerDrift;
  baseline: BaselineDrift[];
  /** Unified diff from the baseline, when one system was asked about. */
  unified?: string;
  /** Systems left out because the content of their latest snapshot was erased. */
  unreadable?: string[];
  summary: string;
}

const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
const norm = (s: string) => s.trim().toLowerCase();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const shaTag = (sha: string) => `sha256:${sha.slice(0, 40)}`;

export function isSnapshot(m: Memory): boolean {
  return m.category === CONFIG_CATEGORY && m.metadata.kind === 'config_snapshot' && !m.deleted;
}

export function toSnapshot(m: Memory): ConfigSnapshot {
  const md = m.metadata;
  return {
    id: m.id,
    system: str(md.system),
    config_type: str(md.config_type),
    path: str(md.path),
    sha256: str(md.sha256),
    content_id: str(md.content_id),
    taken_at: str(md.taken_at) || m.created_at,
    confirmed_at: typeof md.confirmed_at === 'string' ? md.confirmed_at : null,
    baseline: md.baseline === true,
    machine: m.machine,
  };
}

const newestFirst = (a: ConfigSnapshot, b: ConfigSnapshot) => b.taken_at.localeCompare(a.taken_at) || b.id.localeCompare(a.id);

export class ConfigService {
  constructor(private readonly memories: MemoryService) {}

  /** Records a snapshot; the same content as the system's latest is a confirmation, not a new record. */
  async snapshot(input: CreateConfigSnapshotInput, actor: Actor): Promise<{ snapshot: ConfigSnapshot; unchanged: boolean; content_reused: boolean }> {
    await refuseSecrets(input.path, input.content);
    const system = norm(input.system);
    const configType = norm(input.config_type);
    const sha = sha256(input.content);
    const now = new Date().toISOString();
    const previous = (await this.snapshots(configType, system)).find((s) => s.path === input.path);
    if (previous && previous.sha256 === sha && !input.baseline) {
      const m = await this.memories.update({ memory_id: previous.id, metadata: { confirmed_at: now } }, actor);
      return { snapshot: toSnapshot(m), unchanged: true, content_reused: true };
    }
    const existing = await this.contentFor(sha);
    const contentId = existing?.id ?? (await this.storeContent(input, configType, sha, actor)).id;
    const changes = previous ? settingChanges(parseConfig(previous.path, await this.text(previous)).settings, parseConfig(input.path, input.content).settings) : [];
    const changed = changes.length ? `; changed since ${previous!.taken_at}: ${changes.slice(0, 10).map(changeText).join(', ')}` : '';
    const m = await this.memories.store(
      {
        content: `Config snapshot: ${configType} on ${system} (${input.path}), sha256 ${sha.slice(0, 12)}${changed}`,
        category: CONFIG_CATEGORY,
        tags: [SNAPSHOT_TAG, `system:${system}`, `config:${configType}`],
        metadata: {
          kind: 'config_snapshot',
          system,
          config_type: configType,
          path: input.path,
          sha256: sha,
          content_id: contentId,
          bytes: Buffer.byteLength(input.content),
          taken_at: now,
          ...(input.baseline ? { baseline: true } : {}),
        },
        // Values quoted here come from content refuseSecrets already passed; the sha256 is random-looking by nature.
        allow_secret: true,
      },
      actor,
    );
    return { snapshot: toSnapshot(m), unchanged: false, content_reused: existing !== undefined };
  }

  async history(input: GetConfigHistoryInput): Promise<{ snapshots: (ConfigSnapshot & { changes: SettingChange[] })[] }> {
    const system = norm(input.system);
    const all = input.config_type ? await this.snapshots(norm(input.config_type), system) : (await this.listSnapshots([`system:${system}`])).filter((s) => s.system === system);
    const page = all.slice(0, input.limit ?? 20);
    const out = [];
    for (const s of page) {
      // Changes against the previous snapshot of the same file (the next older one in the list).
      const prev = all.slice(all.indexOf(s) + 1).find((p) => p.config_type === s.config_type && p.path === s.path);
      const changes = prev && prev.sha256 !== s.sha256 ? settingChanges(parseConfig(prev.path, await this.text(prev)).settings, parseConfig(s.path, await this.text(s)).settings) : [];
      out.push({ ...s, changes });
    }
    return { snapshots: out };
  }

  async compare(input: CompareConfigSnapshotsInput): Promise<ConfigDiff> {
    let from: ConfigSnapshot;
    let to: ConfigSnapshot;
    if (input.from && input.to) {
      from = await this.get(input.from);
      to = await this.get(input.to);
    } else {
      const type = norm(input.config_type!);
      from = await this.latest(type, norm(input.system_a!));
      to = await this.latest(type, norm(input.system_b!));
    }
    return this.diff(from, to);
  }

  async drift(input: DetectConfigDriftInput): Promise<DriftReport> {
    const configType = norm(input.config_type);
    const all = await this.snapshots(configType);
    if (all.length === 0) throw new NotFoundError('config snapshots of type', configType);
    const bySystem = new Map<string, ConfigSnapshot[]>();
    for (const s of all) bySystem.set(s.system, [...(bySystem.get(s.system) ?? []), s]);
    const system = input.system === undefined ? undefined : norm(input.system);
    if (system !== undefined && !bySystem.has(system)) throw new NotFoundError(`${configType} snapshot of system`, system);

    const latest: SystemConfig[] = [];
    const unreadable: string[] = [];
    for (const [name, list] of [...bySystem].sort((a, b) => a[0].localeCompare(b[0]))) {
      const s = list[0]!;
      // A system whose latest content was erased is left out of the comparison, and said so.
      const text = await this.text(s).catch((err: unknown) => {
        if (err instanceof MeshError && (err.code === 'ERASED' || err.code === 'NOT_FOUND')) return undefined;
        throw err;
      });
      if (text === undefined) unreadable.push(name);
      else latest.push({ system: name, snapshot_id: s.id, sha256: s.sha256, parsed: parseConfig(s.path, text) });
    }
    const peers = peerDrift(latest, configType);
    const baseline: BaselineDrift[] = [];
    let unified: string | undefined;
    for (const [name, list] of bySystem) {
      if ((system !== undefined && name !== system) || unreadable.includes(name)) continue;
      const base = list.find((s) => s.baseline) ?? list[list.length - 1]!;
      const newest = list[0]!;
      if (base.id === newest.id || base.sha256 === newest.sha256) {
        baseline.push({ system: name, baseline_id: base.id, latest_id: newest.id, drifted: false, changes: [] });
        continue;
      }
      const d = await this.diff(base, newest).catch((err: unknown) => {
        if (err instanceof MeshError && (err.code === 'ERASED' || err.code === 'NOT_FOUND')) return undefined;
        throw err;
      });
      if (!d) continue; // its baseline's content was erased: nothing to compare with
      baseline.push({ system: name, baseline_id: base.id, latest_id: newest.id, drifted: d.changes.length > 0, changes: d.changes.slice(0, CONFIG_DRIFT_MAX_KEYS) });
      if (system !== undefined) unified = d.unified;
    }
    baseline.sort((a, b) => a.system.localeCompare(b.system));
    if (system !== undefined) {
      peers.odd = peers.odd.filter((o) => o.system === system);
      peers.split = peers.split.filter((k) => k.groups.some((g) => g.systems.includes(system)));
    }
    const summary = driftSummary(configType, peers, baseline) + (unreadable.length ? `\nleft out (content erased): ${unreadable.join(', ')}` : '');
    return { config_type: configType, systems: [...bySystem.keys()].sort(), peers, baseline, ...(unreadable.length ? { unreadable } : {}), ...(unified ? { unified } : {}), summary };
  }

  async get(id: string): Promise<ConfigSnapshot> {
    const m = await this.memories.retrieve(id);
    if (!isSnapshot(m)) throw new NotFoundError('config snapshot', id);
    return toSnapshot(m);
  }

  /** The content a snapshot points at; a readable error when it was erased since. */
  async text(s: ConfigSnapshot): Promise<string> {
    try {
      return (await this.memories.retrieve(s.content_id)).content;
    } catch (err) {
      if (err instanceof MeshError && (err.code === 'ERASED' || err.code === 'NOT_FOUND')) {
        throw new MeshError(err.code, `the content of snapshot ${s.id} (${s.config_type} on ${s.system}) was erased`, { snapshot: s.id, content_id: s.content_id });
      }
      throw err;
    }
  }

  private async diff(from: ConfigSnapshot, to: ConfigSnapshot): Promise<ConfigDiff> {
    const [a, b] = [await this.text(from), await this.text(to)];
    const pa = parseConfig(from.path, a);
    const pb = parseConfig(to.path, b);
    const label = (s: ConfigSnapshot) => `${s.system}:${s.path}`;
    const unified = from.sha256 === to.sha256 ? '' : diffLibrary().createTwoFilesPatch(label(from), label(to), a, b, from.taken_at, to.taken_at);
    return { from, to, identical: from.sha256 === to.sha256, format: pa.format === pb.format ? pa.format : 'lines', changes: settingChanges(pa.settings, pb.settings), unified };
  }

  private async latest(configType: string, system: string): Promise<ConfigSnapshot> {
    const s = (await this.snapshots(configType, system))[0];
    if (!s) throw new NotFoundError(`${configType} snapshot of system`, system);
    return s;
  }

  /** Snapshots of one type (and system), newest first. */
  private async snapshots(configType: string, system?: string): Promise<ConfigSnapshot[]> {
    const tags = [`config:${configType}`, ...(system ? [`system:${system}`] : [])];
    return (await this.listSnapshots(tags)).filter((s) => s.config_type === configType && (system === undefined || s.system === system));
  }

  private async listSnapshots(tags: string[]): Promise<ConfigSnapshot[]> {
    const found = await this.memories.listLive({ category: CONFIG_CATEGORY, tags: [SNAPSHOT_TAG, ...tags] }, CONFIG_SCAN_LIMIT);
    return found.filter(isSnapshot).map(toSnapshot).sort(newestFirst);
  }

  /** The stored content with this hash, if any host stored it (the oldest, so every host picks the same). */
  private async contentFor(sha: string): Promise<Memory | undefined> {
    const found = await this.memories.listLive({ category: CONFIG_CATEGORY, tags: [CONTENT_TAG, shaTag(sha)] }, 20);
    return found.filter((m) => m.metadata.sha256 === sha && !m.deleted).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))[0];
  }

  private storeContent(input: CreateConfigSnapshotInput, configType: string, sha: string, actor: Actor): Promise<Memory> {
    if (input.content.trim().length === 0) throw new InvalidInputError('content is empty', { field: 'content' });
    return this.memories.store(
      // Checked by refuseSecrets in snapshot() (which also refuses by path); hashes and ids in a config are not credentials.
      { content: input.content, category: CONFIG_CATEGORY, tags: [CONTENT_TAG, shaTag(sha), `config:${configType}`], metadata: { kind: 'config_content', sha256: sha, config_type: configType, path: input.path }, allow_secret: true },
      actor,
    );
  }
}

export function changeText(c: SettingChange): string {
  return `${c.key} (${c.old ?? 'unset'} → ${c.new ?? 'unset'})`;
}

function driftSummary(configType: string, peers: PeerDrift, baseline: BaselineDrift[]): string {
  const parts: string[] = [];
  if (peers.identical) parts.push(`all ${peers.systems.length} systems hold the same ${configType}`);
  for (const o of peers.odd) parts.push(o.summary);
  for (const k of peers.split) parts.push(`${k.key} is split: ${k.groups.map((g) => `${g.systems.join(',')}=${g.value ?? 'unset'}`).join(' / ')}`);
  if (!peers.identical && peers.odd.length === 0 && peers.split.length === 0) parts.push(`the ${configType} files differ only in formatting`);
  const drifted = baseline.filter((b) => b.drifted);
  for (const b of drifted) parts.push(`${b.system} drifted from its baseline in ${b.changes.slice(0, 5).map(changeText).join(', ')}`);
  if (drifted.length === 0) parts.push('no system drifted from its baseline');
  return parts.join('\n');
}
