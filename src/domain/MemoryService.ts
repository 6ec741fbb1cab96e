import { refuseLikelySecrets } from '../secrets/secretRefusal.js';
import { randomUUID } from 'node:crypto';
import * as A from '@automerge/automerge';
import { BUILTIN_CATEGORIES, DEFAULT_CATEGORY } from '../config/categories.js';
import { DEFAULT_LIST_LIMIT, DEFAULT_SEARCH_LIMIT, MEMORY_FORMAT_VERSION, ORPHAN_RETENTION_GRACE_DAYS, RETENTION_ERASURE_REASON } from '../constants.js';
import { InvalidInputError, MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CatalogFilter, CountRow, MemoryIndex } from '../search/MemoryIndex.js';
import type { MemoryVectors } from '../search/MemoryVectors.js';
import { catalogFilter } from '../search/catalogFilter.js';
import { rankMemories } from '../search/hybridRanking.js';
import type { Thesaurus } from '../search/Thesaurus.js';
import type { ExportedMemory, ImportOutcome } from './memoryExport.js';
import type { DocStore } from '../store/DocStore.js';
import { summariseHistory } from '../store/changeHistory.js';
import { attributeHistory, type AttributedEntry } from '../authorship/historyAuthors.js';
import { commitDoc, throwMissing, type MissingWords } from './docCommit.js';
import type { Eraser } from './Eraser.js';
import type { Actor, MemoryId } from '../types.js';
import { changeOptions } from './changeOptions.js';
import { toMemory, type JsonValue, type Memory, type MemoryDoc } from './Memory.js';
import { metadataProblem, type DeleteMemoryInput, type RecentMemoriesInput, type SearchMemoriesInput, type StoreMemoryInput, type UpdateMemoryInput } from './memorySchemas.js';
import { describeShapeProblem } from './inputShape.js';
import { pageByBytes } from './replyBudget.js';
import { deleterOf } from './retentionOwner.js';

export interface SearchResult extends Memory {
  score: number;
}

export interface MemoryStats {
  total: number;
  deleted: number;
  by_category: Record<string, number>;
  by_machine: Record<string, number>;
  by_project: Record<string, number>;
}

export interface MemoryServiceDeps {
  store: DocStore;
  index: MemoryIndex;
  logger: Logger;
  actorId: string;
  customCategories: readonly string[];
  retentionDays: number;
  /** Expands hybrid queries with equivalent terms (config/search-synonyms.json); none: no expansion. */
  thesaurus?: Thesaurus;
  /** Is a host of this name still a member? Memories whose deleter left are erased by anyone, later (ORPHAN_RETENTION_GRACE_DAYS). */
  hostIsMember?: (machine: string) => boolean;
  /** The one erasure path (sign a tombstone, erase, then the after-erase step): Eraser.ts. */
  eraser: Eraser;
  now?: () => number;
}

const MISSING: MissingWords = {
  noun: 'memory',
  erased: (at) => `was erased at ${at} and cannot be read or recovered`,
  damaged: (id) => `memory ${id} is damaged on this host and is being re-fetched from the other members; if none has it, erase it (mesh rm ${id} --hard)`,
};

/**
 * The rules of memories, free of transport: validation beyond the schema, document changes with
 * their provenance, soft delete with retention, erasure, and queries over the derived indexes.
 */
export class MemoryService {
  private readonly categories: Set<string>;
  private readonly now: () => number;
  private vectors: MemoryVectors | undefined;

  constructor(private readonly deps: MemoryServiceDeps) {
    this.categories = new Set([...BUILTIN_CATEGORIES, ...deps.customCategories]);
    this.now = deps.now ?? Date.now;
  }

  /** Semantic search becomes available once the embedder is loaded. */
  setVectors(vectors: MemoryVectors): void {
    this.vectors = vectors;
  }

  get semanticAvailable(): boolean {
    return this.vectors !== undefined;
  }

  private hostName: (peer: string) => string | undefined = () => undefined;
  /** Decides a team-scoped write's team and whether this host may write it (teams/teamWrites.ts); none before replication runs. */
  private teamWrites: ((team: string | undefined) => string | undefined) | undefined;

  /** Set once membership is known: resolves a team-scoped write's team and refuses one this host may not write. */
  setTeamWrites(check: (team: string | undefined) => string | undefined): void {
    this.teamWrites = check;
  }

  get validCategories(): string[] {
    return [...this.categories];
  }

  async store(input: StoreMemoryInput, actor: Actor): Promise<Memory> {
    const category = this.checkCategory(input.category ?? DEFAULT_CATEGORY);
    if (input.team !== undefined && input.scope !== 'team') throw new InvalidInputError('team is given only with scope "team"');
    const team = input.scope === 'team' && this.teamWrites ? this.teamWrites(input.team) : input.team;
    if (!input.allow_secret) await refuseLikelySecrets(secretFields(input));
    const id = randomUUID();
    const now = this.now();
    const created = newMemoryDoc(this.deps.actorId, changeOptions(actor, 'create', now), {
      ...input,
      ...(team !== undefined ? { team } : {}),
      id,
      category,
      machine: actor.machine,
      agent: actor.agent,
      created_at: now,
      updated_at: now,
      updated_by: actor.agent,
      deleted: false,
      deleted_at: null,
      deleted_reason: null,
    });
    return this.commit(id, () => created, true);
  }

  /** One page of memories in id order, for an export. */
  async exportPage(after: string | undefined, limit: number, includeDeleted: boolean): Promise<{ memories: Memory[]; next: string | null }> {
    const ids = this.deps.index.idsAfter(after, { includeDeleted }, limit);
    const found = (await this.deps.store.views_<Memory>('memories', ids)).filter((m): m is Memory => m !== undefined);
    // A page is also bounded by bytes (one socket frame), so large memories make shorter pages, never a failed one.
    const memories = pageByBytes(found);
    if (memories.length < found.length) return { memories, next: memories[memories.length - 1]!.id };
    return { memories, next: ids.length === limit ? ids[ids.length - 1]! : null };
  }

  /**
   * Creates a memory from an export with its own id and provenance (machine, agent, times, soft
   * deletion). A memory that exists is left as it is, and an erased one is never brought back.
   */
  async importOne(input: ExportedMemory, actor: Actor): Promise<ImportOutcome> {
    const category = this.checkCategory(input.category);
    if (await this.deps.store.tombstone('memories', input.id)) return 'erased';
    let changed: boolean;
    try {
      ({ changed } = await this.deps.store.mutate<MemoryDoc>('memories', input.id, (current) => {
        // An id this host has is left as it is: no write.
        if (current) return undefined;
        const doc = newMemoryDoc(this.deps.actorId, changeOptions(actor, 'import', this.now()), {
          ...input,
          category,
          created_at: Date.parse(input.created_at),
          updated_at: Date.parse(input.updated_at),
          updated_by: actor.agent,
          deleted_at: input.deleted_at === null ? null : Date.parse(input.deleted_at),
        });
        const view = toMemory(doc);
        return { doc, view, scope: view.scope };
      }));
    } catch (err) {
      if (err instanceof MeshError && err.code === 'ERASED') return 'erased';
      throw err;
    }
    // No wait for the embedding here: a batch waits once for all of them (see whenIndexed), not one after another.
    return changed ? 'created' : 'exists';
  }

  async retrieve(id: string): Promise<Memory> {
    const memory = await this.deps.store.view<Memory>('memories', id);
    if (memory) return memory;
    return this.throwMissing(id);
  }

  async update(input: UpdateMemoryInput, actor: Actor): Promise<Memory> {
    const { memory_id: id } = input;
    const category = input.category === undefined ? undefined : this.checkCategory(input.category);
    if (input.content === undefined && input.tags === undefined && input.context === undefined && category === undefined && input.project === undefined && input.metadata === undefined) {
      throw new InvalidInputError('nothing to update: give at least one of content, tags, context, category, project, metadata');
    }
    if (!input.allow_secret) await refuseLikelySecrets(secretFields(input));
    const now = this.now();
    return this.commit(id, (current) => {
      if (current.deleted) throw new MeshError('ALREADY_DELETED', `memory ${id} is deleted; recover it with recover_deleted_memory before updating`, { id });
      if (String(current.scope) === 'team' && this.teamWrites) this.teamWrites(current.team === undefined ? undefined : String(current.team));
      if (input.metadata !== undefined) checkMergedMetadata(current.metadata, input.metadata);
      return A.change(current, changeOptions(actor, 'update', now), (d) => {
      // updateText diffs against the current text, so concurrent edits on two hosts both survive a merge.
      if (input.content !== undefined) A.updateText(d, ['content'], input.content);
      if (input.context !== undefined) A.updateText(d, ['context'], input.context);
      if (category !== undefined) d.category = category;
      if (input.project !== undefined) d.project = input.project;
      if (input.tags !== undefined) d.tags = dedupe(input.tags);
      if (input.metadata !== undefined) {
        for (const [key, value] of Object.entries(input.metadata)) {
          if (value === null) delete d.metadata[key];
          else d.metadata[key] = value as JsonValue; // JSON checked by the schema (metadataProblem)
        }
      }
      d.updated_at = now;
      d.updated_by = actor.agent;
      });
    });
  }

  async delete(input: DeleteMemoryInput, actor: Actor): Promise<{ id: MemoryId; hard: boolean; recoverable_until: string | null }> {
    const id = input.memory_id;
    if (input.hard_delete) {
      await this.erase(id, actor, input.reason);
      return { id: id as MemoryId, hard: true, recoverable_until: null };
    }
    const now = this.now();
    await this.commit(id, (current) => {
      if (current.deleted) throw new MeshError('ALREADY_DELETED', `memory ${id} is already deleted`, { id });
      return A.change(current, changeOptions(actor, 'delete', now), (d) => {
        d.deleted = true;
        d.deleted_at = now;
        d.deleted_reason = input.reason ?? null;
        d.updated_at = now;
        d.updated_by = actor.agent;
      });
    });
    return { id: id as MemoryId, hard: false, recoverable_until: new Date(now + this.retentionMs).toISOString() };
  }

  async recover(id: string, actor: Actor): Promise<Memory> {
    const now = this.now();
    return this.commit(id, (current) => {
      if (!current.deleted) throw new MeshError('NOT_DELETED', `memory ${id} is not deleted`, { id });
      return A.change(current, changeOptions(actor, 'recover', now), (d) => {
        d.deleted = false;
        d.deleted_at = null;
        d.deleted_reason = null;
        d.updated_at = now;
        d.updated_by = actor.agent;
      });
    });
  }

  /** Hard delete: the document goes, a tombstone stays, and the indexes forget it. */
  async erase(id: string, actor: Actor, reason?: string): Promise<void> {
    // A damaged memory (unreadable on this host) can always be erased: no id is left stuck.
    const existing = await this.deps.store.load<MemoryDoc>('memories', id).catch((err: unknown) => {
      if (err instanceof MeshError && err.code === 'DOCUMENT_DAMAGED') return undefined;
      throw err;
    });
    if (!existing && !this.deps.store.isDamaged('memories', id)) await this.throwMissing(id);
    // The tombstone keeps the document's scope, so a private memory's erasure stays on this host.
    // A damaged one whose scope is unknown is erased here only (the safe side).
    const scope = existing ? (existing.scope === 'mesh' ? {} : { scope: existing.scope }) : { scope: 'private' as const };
    await this.deps.eraser.erase('memories', id, actor, this.now(), { ...(reason ? { reason } : {}), ...scope });
    this.deps.logger.info({ id, agent: actor.agent }, 'memory erased');
  }

  /**
   * Erases soft-deleted memories past the retention period. Only the host that soft-deleted a
   * memory does, by its own clock against the time it stamped itself: another host whose clock
   * runs ahead (40 days) cannot erase what its owner still promises is recoverable. A memory
   * whose deleter has left the mesh is erased by any host ORPHAN_RETENTION_GRACE_DAYS later.
   * Returns how many.
   */
  purgeExpired(actor: Actor): Promise<number> {
    return this.deps.eraser.batch(() => this.purgeExpiredNow(actor));
  }

  private async purgeExpiredNow(actor: Actor): Promise<number> {
    const now = this.now();
    let erased = 0;
    for (const id of this.deps.index.deletedBefore(now - this.retentionMs)) {
      const doc = await this.deps.store.load<MemoryDoc>('memories', id);
      const changes = await this.deps.store.history('memories', id);
      if (!doc?.deleted || doc.deleted_at === null || !changes) continue;
      const deleter = deleterOf(changes);
      const age = now - doc.deleted_at;
      const mine = deleter?.actor === this.deps.actorId;
      const orphaned = !deleter?.machine || this.deps.hostIsMember?.(deleter.machine) === false;
      if (mine ? age <= this.retentionMs : !orphaned || age <= this.retentionMs + ORPHAN_RETENTION_GRACE_DAYS * 86_400_000) continue;
      await this.erase(id, actor, RETENTION_ERASURE_REASON);
      erased++;
    }
    return erased;
  }

  async search(input: SearchMemoriesInput): Promise<{ results: SearchResult[]; mode: string; expanded?: string[]; notice?: string }> {
    const filter = catalogFilter(input, { includeDeleted: input.include_deleted ?? false });
    const sources = { index: this.deps.index, vectors: this.vectors, thesaurus: this.deps.thesaurus };
    const { hits, mode, expanded } = await rankMemories(sources, input.query, filter, input.mode ?? 'hybrid', input.limit ?? DEFAULT_SEARCH_LIMIT);
    const memories = await this.deps.store.views_<Memory>('memories', hits.map((h) => h.id));
    const results: SearchResult[] = [];
    hits.forEach((hit, i) => {
      const memory = memories[i];
      if (memory) results.push({ ...memory, score: round(hit.score) });
    });
    return {
      results,
      mode,
      ...(expanded.length ? { expanded } : {}),
      // A damaged keyword index being rebuilt: say why keyword hits are missing rather than look empty.
      ...(this.deps.index.rebuilding ? { notice: KEYWORD_INDEX_REBUILDING } : {}),
    };
  }

  async recent(input: RecentMemoriesInput): Promise<Memory[]> {
    const hours = input.hours ?? 24;
    const ids = this.deps.index.list({ category: input.category, since: this.now() - hours * 3_600_000 }, input.limit ?? DEFAULT_LIST_LIMIT);
    return this.views(ids);
  }

  /** Live memories passing a filter, most recently updated first. */
  async listLive(filter: Pick<CatalogFilter, 'category' | 'tags' | 'since' | 'agent'>, limit: number): Promise<Memory[]> {
    return this.views(this.deps.index.list(filter, limit));
  }

  /** Resolves once semantic search can find these memories (each wait bounded), waiting for all at once. */
  async whenIndexed(ids: readonly string[]): Promise<void> {
    const vectors = this.vectors;
    if (vectors) await Promise.all(ids.map((id) => vectors.whenIndexed(id)));
  }

  get vectorIndex(): MemoryVectors | undefined {
    return this.vectors;
  }

  async listDeleted(limit?: number): Promise<Memory[]> {
    return this.views(this.deps.index.list({ onlyDeleted: true }, limit ?? DEFAULT_LIST_LIMIT));
  }

  async projectMemories(project: string, limit?: number): Promise<Memory[]> {
    return this.views(this.deps.index.list({ project }, limit ?? DEFAULT_LIST_LIMIT));
  }

  stats(): MemoryStats {
    const index = this.deps.index;
    const counts = (rows: CountRow[]) => Object.fromEntries(rows.filter((r) => r.name !== '').map((r) => [r.name, r.count]));
    return {
      total: index.count({}),
      deleted: index.count({ onlyDeleted: true }),
      by_category: counts(index.groupBy('category')),
      by_machine: counts(index.groupBy('machine')),
      by_project: counts(index.groupBy('project')),
    };
  }

  /** Machines, agents and projects that wrote memories, with counts and last activity. */
  sources(): { machines: SourceCount[]; agents: SourceCount[]; projects: SourceCount[] } {
    const index = this.deps.index;
    const rows = (xs: CountRow[]) => xs.filter((r) => r.name !== '').map((r) => ({ name: r.name, count: r.count, last_activity: new Date(r.last).toISOString() }));
    return { machines: rows(index.groupBy('machine')), agents: rows(index.groupBy('agent')), projects: rows(index.groupBy('project')) };
  }

  async machineContext(machine: string, limit = DEFAULT_LIST_LIMIT): Promise<{ machine: string; total: number; by_category: Record<string, number>; agents: string[]; recent: Memory[] }> {
    const index = this.deps.index;
    const byCategory = Object.fromEntries(index.groupBy('category', { machine }).map((r) => [r.name, r.count]));
    const agents = index.groupBy('agent', { machine }).map((r) => r.name).sort();
    const recent = await this.views(index.list({ machine }, limit));
    return { machine, total: index.count({ machine }), by_category: byCategory, agents, recent };
  }

  /** The change history with each change's verified author (its signature) beside its claims. */
  async history(id: string): Promise<AttributedEntry[]> {
    const changes = await this.deps.store.history('memories', id);
    if (!changes) return this.throwMissing(id);
    return attributeHistory(summariseHistory(changes), await this.deps.store.signatures('memories', id), this.hostName);
  }

  /** How history names a verified author's host (the membership's name for its peer id). */
  setHostNames(hostName: (peer: string) => string | undefined): void {
    this.hostName = hostName;
  }

  private get retentionMs(): number {
    return this.deps.retentionDays * 86_400_000;
  }

  /**
   * Changes one memory document: `next` gets the newest version (or, for a new memory, ignores it)
   * and returns the changed document. Resolves with the view once the change is durable and indexed.
   */
  private async commit(id: string, next: (current: A.Doc<MemoryDoc>) => A.Doc<MemoryDoc>, create = false): Promise<Memory> {
    const { view } = await commitDoc(this.deps.store, 'memories', id, next, { create, view: toMemory, scope: (m) => m.scope, missing: MISSING });
    // Answer once semantic search can find it too (bounded; keyword search already can).
    await this.vectors?.whenIndexed(id);
    return view;
  }

  private throwMissing(id: string): Promise<never> {
    return throwMissing(this.deps.store, 'memories', id, MISSING);
  }

  private checkCategory(category: string): string {
    if (this.categories.has(category)) return category;
    throw new MeshError('UNKNOWN_CATEGORY', `unknown category "${category}"; valid categories: ${[...this.categories].join(', ')}`, {
      valid: [...this.categories],
    });
  }

  private async views(ids: string[]): Promise<Memory[]> {
    const views = await this.deps.store.views_<Memory>('memories', ids);
    return views.filter((m): m is Memory => m !== undefined);
  }
}

/** An update adds keys to the stored metadata: the result, not only the update, must keep the bounds. */
function checkMergedMetadata(stored: Record<string, JsonValue>, update: Record<string, unknown>): void {
  const merged = JSON.parse(JSON.stringify(stored)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const problem = metadataProblem(merged);
  if (problem) throw new InvalidInputError(`after this update, ${describeShapeProblem(problem)}`);
}

/** The texts of a write that could carry a credential, by field name (what a SECRET_DETECTED error names). */
function secretFields(input: Partial<Pick<StoreMemoryInput, 'content' | 'context' | 'tags' | 'metadata'>>): Record<string, string | undefined> {
  return {
    content: input.content,
    context: input.context,
    tags: input.tags?.join(' '),
    metadata: input.metadata === undefined ? undefined : JSON.stringify(input.metadata),
  };
}

/** The fields of a new memory document: what a writer gives, with the provenance and times already decided. */
type NewMemory = Pick<StoreMemoryInput, 'content' | 'tags' | 'context' | 'project' | 'scope' | 'team' | 'metadata'> &
  Pick<MemoryDoc, 'id' | 'category' | 'machine' | 'agent' | 'created_at' | 'updated_at' | 'updated_by' | 'deleted' | 'deleted_at' | 'deleted_reason'>;

/** One Automerge change creating a memory (a new write, or an import keeping its provenance). */
function newMemoryDoc(actorId: string, options: A.ChangeOptions<MemoryDoc>, m: NewMemory): A.Doc<MemoryDoc> {
  return A.change(A.init<MemoryDoc>({ actor: actorId }), options, (d) => {
    d.v = MEMORY_FORMAT_VERSION;
    d.id = m.id;
    d.content = m.content;
    d.category = m.category;
    d.tags = dedupe(m.tags ?? []);
    d.context = m.context ?? '';
    d.project = m.project ?? '';
    d.scope = m.scope ?? 'mesh';
    if (m.scope === 'team' && m.team !== undefined) d.team = m.team;
    d.metadata = stripNulls(m.metadata ?? {});
    d.machine = m.machine;
    d.agent = m.agent;
    d.created_at = m.created_at;
    d.updated_at = m.updated_at;
    d.updated_by = m.updated_by;
    d.deleted = m.deleted;
    d.deleted_at = m.deleted_at;
    d.deleted_reason = m.deleted_reason;
  });
}


export interface SourceCount {
  name: string;
  count: number;
  last_activity: string;
}

function dedupe(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
}

function stripNulls(metadata: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(metadata)) if (v !== null && v !== undefined) out[k] = v as JsonValue;
  return out;
}

/** Four significant digits: enough to rank by, short in a model's context. */
function round(score: number): number {
  return Number(score.toPrecision(4));
}

/** Said with search results while a damaged keyword index is rebuilt from the store. */
const KEYWORD_INDEX_REBUILDING = 'the keyword index was damaged and is being rebuilt from the store: results are by meaning only, and listings may be incomplete, until it is done (see `mesh doctor`)';
