import { MAX_INPUT_DEPTH, MAX_REPLY_BYTES } from '../constants.js';
import { fitToBudget } from '../domain/replyBudget.js';
import { InvalidInputError, MeshError } from '../errors.js';
import { importBatch } from '../domain/importBatch.js';
import { method, methods, type MethodTable } from './method.js';
import type { Daemon } from './Daemon.js';
import type { DaemonHealth } from './health.js';
import { describeShapeProblem, findShapeProblem } from '../domain/inputShape.js';
import { formatZodError } from '../domain/zodErrors.js';
import type { Memory } from '../domain/Memory.js';
import type { MemoryService } from '../domain/MemoryService.js';
import { detectDuplicates, DetectDuplicatesInput, mergeDuplicates, MergeDuplicatesInput } from '../domain/duplicates.js';
import {
  DeleteMemoryInput,
  EmptyInput,
  HistoryInput,
  ListDeletedInput,
  MachineContextInput,
  ProjectMemoriesInput,
  RecentMemoriesInput,
  RecoverMemoryInput,
  RetrieveMemoryInput,
  SearchMemoriesInput,
  StoreMemoryInput,
  UpdateMemoryInput,
} from '../domain/memorySchemas.js';
import type { CallContext, Request } from '../ipc/messages.js';
import { ExportPageInput, ImportBatchInput } from '../domain/memoryExport.js';
import type { Actor } from '../types.js';
import type { Replicator } from '../sync/Replicator.js';
import { z } from 'zod';
import { resolveIdPrefixes, type IdLookup } from './idPrefixes.js';

/** Share of a recent-memories reply kept for the agent's unread broadcasts (at most INBOX_PAGE of them). */
const INBOX_REPLY_BYTES = 1024 * 1024;

const InviteInput = z.object({ ttl_hours: z.number().positive().max(24 * 30).optional() });
const PeerInput = z.object({ peer: z.string().min(1).max(200) });
const ReadmitInput = z.object({ peer: z.string().min(1).max(200), name: z.string().min(1).max(200).optional() });
const TeamInput = z.object({ peer: z.string().min(1).max(200), team: z.string().min(1).max(100), role: z.enum(['member', 'admin', 'none']) });
const AdminInput = z.object({ peer: z.string().min(1).max(200), admin: z.boolean() });
const SyncInput = z.object({ peer: z.string().min(1).max(200).optional(), full: z.boolean().optional() });

export interface ApiDeps {
  memories: MemoryService;
  machine: string;
  status: () => Promise<DaemonStatus>;
  /** End-to-end health for `mesh doctor` (src/daemon/health.ts). */
  health: () => Promise<DaemonHealth>;
  stop: () => void;
  reindex: () => Promise<{ memories: number; vectors: number | null }>;
  replication: () => Replicator;
  model: () => ModelStatus;
  /** Unread broadcasts of a registered agent, marked read as they are returned. */
  inbox?: (agentId: string, actor: Actor) => Promise<Memory[]>;
  /** Methods of the other domains (roster, board, lifecycle), merged in by name; their types join the map in methodMap.ts. */
  extra?: MethodTable;
  /** Id lookups that let every id parameter take a unique prefix (see idPrefixes.ts). */
  ids?: IdLookup;
}

/** What `daemon.status` and `daemon.model` answer (the daemon builds them). */
export type DaemonStatus = ReturnType<Daemon['status']>;
export type ModelStatus = ReturnType<Daemon['modelStatus']>;

/** The memory, mesh and daemon methods (the other domains have their own `buildXxxApi()`). */
export function buildCoreApi(deps: ApiDeps) {
  const m = deps.memories;
  return methods({
    'memory.store': method(StoreMemoryInput, (p, a) => m.store(p, a)),
    'memory.retrieve': method(RetrieveMemoryInput, (p) => m.retrieve(p.memory_id)),
    'memory.update': method(UpdateMemoryInput, (p, a) => m.update(p, a)),
    // Listings are kept within a reply's byte budget (cut with a flag, never failed): see replyBudget.ts.
    'memory.search': method(SearchMemoriesInput, async (p) => {
      const found = await m.search(p);
      return { ...found, ...fitToBudget(found.results) };
    }),
    // A registered agent looking at recent memories also gets its unread broadcasts (its inbox).
    'memory.recent': method(RecentMemoriesInput, async (p, a, ctx) => {
      const recent = fitToBudget(await m.recent(p), MAX_REPLY_BYTES - INBOX_REPLY_BYTES);
      const inbox = ctx.agent_id && deps.inbox ? fitToBudget(await deps.inbox(ctx.agent_id, a), INBOX_REPLY_BYTES).results : [];
      return inbox.length ? { ...recent, inbox } : recent;
    }),
    'memory.delete': method(DeleteMemoryInput, (p, a) => m.delete(p, a)),
    'memory.recover': method(RecoverMemoryInput, (p, a) => m.recover(p.memory_id, a)),
    'memory.listDeleted': method(ListDeletedInput, async (p) => fitToBudget(await m.listDeleted(p.limit))),
    'memory.stats': method(EmptyInput, () => m.stats()),
    'memory.project': method(ProjectMemoriesInput, async (p) =>
      p.project === undefined
        ? { project: null, projects: m.sources().projects, results: [] }
        : { project: p.project, ...fitToBudget(await m.projectMemories(p.project, p.limit)) },
    ),
    'memory.machineContext': method(MachineContextInput, async (p) => {
      const context = await m.machineContext(p.machine ?? deps.machine);
      const recent = fitToBudget(context.recent);
      return { ...context, recent: recent.results, ...(recent.truncated ? { truncated: true } : {}) };
    }),
    'memory.sources': method(EmptyInput, () => m.sources()),
    'memory.detectDuplicates': method(DetectDuplicatesInput, async (p) => ({ pairs: await detectDuplicates(m, m.vectorIndex, p) })),
    'memory.mergeDuplicates': method(MergeDuplicatesInput, (p, a) => mergeDuplicates(m, p, a)),
    'memory.exportPage': method(ExportPageInput, (p) => m.exportPage(p.after, p.limit, p.include_deleted)),
    // A memory this host refuses (say, a category it does not allow) is reported by id; the rest still import.
    'memory.importBatch': method(ImportBatchInput, (p, a) => importBatch(m, p.memories, a)),
    'memory.history': method(HistoryInput, async (p) => ({ id: p.memory_id, history: await m.history(p.memory_id) })),
    'daemon.status': method(EmptyInput, () => deps.status()),
    'daemon.health': method(EmptyInput, () => deps.health()),
    'mesh.invite': method(InviteInput, (p) => deps.replication().invite(p.ttl_hours === undefined ? undefined : p.ttl_hours * 3_600_000)),
    'mesh.peers': method(EmptyInput, () => ({ peers: deps.replication().peers() })),
    'mesh.removePeer': method(PeerInput, (p) => deps.replication().removePeer(p.peer)),
    'mesh.readmitPeer': method(ReadmitInput, (p) => deps.replication().readmitPeer(p.peer, p.name)),
    'mesh.setTeam': method(TeamInput, (p) => deps.replication().setTeam(p.peer, p.team, p.role)),
    'mesh.setAdmin': method(AdminInput, (p) => deps.replication().setAdmin(p.peer, p.admin)),
    'mesh.sync': method(SyncInput, async (p) => ({ results: await deps.replication().syncNow(p.peer, { full: p.full === true }) })),
    'daemon.ping': method(EmptyInput, () => ({ pong: true as const })),
    'daemon.model': method(EmptyInput, () => deps.model()),
    'daemon.reindex': method(EmptyInput, () => deps.reindex()),
    'daemon.stop': method(EmptyInput, () => {
      // Answer first, then stop, so the caller learns the stop was accepted.
      setImmediate(deps.stop);
      return { stopping: true as const };
    }),
  });
}

/**
 * The daemon's API, by method name. Every method validates its params with the same zod schema
 * the MCP tool and the CLI use, so a bad request gets the same readable error at every door.
 */
export function buildApi(deps: ApiDeps) {
  // The core methods last: an extra table cannot replace one of them.
  const table: MethodTable = { ...deps.extra, ...buildCoreApi(deps) };
  // A Map, not the object: a method name like "constructor" or "__proto__" must not find Object's own.
  const byName = new Map(Object.entries(table));
  return async function handle(req: Request): Promise<unknown> {
    const entry = byName.get(req.method);
    if (!entry) throw new MeshError('UNKNOWN_METHOD', `unknown method ${req.method}`);
    // Checked before the schema: validators recurse, and no method takes anything this deep.
    const problem = findShapeProblem(req.params, { depth: MAX_INPUT_DEPTH });
    if (problem) throw new InvalidInputError(describeShapeProblem(problem), { path: problem.path.join('.') });
    const parsed = entry.schema.safeParse(req.params ?? {});
    if (!parsed.success) throw new InvalidInputError(formatZodError(parsed.error), { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    const params = deps.ids ? await resolveIdPrefixes(deps.ids, parsed.data) : parsed.data;
    return await entry.handler(params, actorOf(req.ctx, deps.machine), req.ctx);
  };
}

function actorOf(ctx: CallContext, machine: string): Actor {
  return { machine, agent: ctx.agent };
}

export { formatZodError } from '../domain/zodErrors.js';
// Kept here too: the other `buildXxxApi()` files import them from api.js.
export { method, methods, type Method, type MethodTable } from './method.js';
