import { InvalidInputError, MeshError } from '../errors.js';
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
import { ExportPageInput, ImportBatchInput, type ImportOutcome } from '../domain/memoryExport.js';
import type { Actor } from '../types.js';
import type { Replicator } from '../sync/Replicator.js';
import { z } from 'zod';

/** Errors that refuse one imported memory, not the whole batch. */
const REFUSED_IMPORT_CODES = new Set<string>(['UNKNOWN_CATEGORY', 'INVALID_INPUT']);

const InviteInput = z.object({ ttl_hours: z.number().positive().max(24 * 30).optional() });
const PeerInput = z.object({ peer: z.string().min(1).max(200) });
const ReadmitInput = z.object({ peer: z.string().min(1).max(200), name: z.string().min(1).max(200).optional() });
const TeamInput = z.object({ peer: z.string().min(1).max(200), team: z.string().min(1).max(100), role: z.enum(['member', 'admin', 'none']) });
const AdminInput = z.object({ peer: z.string().min(1).max(200), admin: z.boolean() });
const SyncInput = z.object({ peer: z.string().min(1).max(200).optional(), full: z.boolean().optional() });

export interface Method<S extends z.ZodType> {
  schema: S;
  handler: (params: z.infer<S>, actor: Actor, ctx: CallContext) => unknown;
}

export function method<S extends z.ZodType>(schema: S, handler: (params: z.infer<S>, actor: Actor, ctx: CallContext) => unknown): Method<S> {
  return { schema, handler };
}

export interface ApiDeps {
  memories: MemoryService;
  machine: string;
  status: () => Promise<unknown>;
  stop: () => void;
  reindex: () => Promise<unknown>;
  replication: () => Replicator;
  model: () => unknown;
  /** Unread broadcasts of a registered agent, marked read as they are returned. */
  inbox?: (agentId: string, actor: Actor) => Promise<Memory[]>;
  /** Methods of the other domains (roster, board), merged in by name. */
  extra?: Record<string, Method<z.ZodType>>;
}

/**
 * The daemon's API, by method name. Every method validates its params with the same zod schema
 * the MCP tool and the CLI use, so a bad request gets the same readable error at every door.
 */
export function buildApi(deps: ApiDeps) {
  const m = deps.memories;
  const methods: Record<string, Method<z.ZodType>> = {
    'memory.store': method(StoreMemoryInput, (p, a) => m.store(p, a)),
    'memory.retrieve': method(RetrieveMemoryInput, (p) => m.retrieve(p.memory_id)),
    'memory.update': method(UpdateMemoryInput, (p, a) => m.update(p, a)),
    'memory.search': method(SearchMemoriesInput, (p) => m.search(p)),
    // A registered agent looking at recent memories also gets its unread broadcasts (its inbox).
    'memory.recent': method(RecentMemoriesInput, async (p, a, ctx) => {
      const results = await m.recent(p);
      const inbox = ctx.agent_id && deps.inbox ? await deps.inbox(ctx.agent_id, a) : [];
      return inbox.length ? { results, inbox } : { results };
    }),
    'memory.delete': method(DeleteMemoryInput, (p, a) => m.delete(p, a)),
    'memory.recover': method(RecoverMemoryInput, (p, a) => m.recover(p.memory_id, a)),
    'memory.listDeleted': method(ListDeletedInput, async (p) => ({ results: await m.listDeleted(p.limit) })),
    'memory.stats': method(EmptyInput, () => m.stats()),
    'memory.project': method(ProjectMemoriesInput, async (p) =>
      p.project === undefined
        ? { project: null, projects: m.sources().projects, results: [] }
        : { project: p.project, results: await m.projectMemories(p.project, p.limit) },
    ),
    'memory.machineContext': method(MachineContextInput, (p) => m.machineContext(p.machine ?? deps.machine)),
    'memory.sources': method(EmptyInput, () => m.sources()),
    'memory.detectDuplicates': method(DetectDuplicatesInput, async (p) => ({ pairs: await detectDuplicates(m, m.vectorIndex, p) })),
    'memory.mergeDuplicates': method(MergeDuplicatesInput, (p, a) => mergeDuplicates(m, p, a)),
    'memory.exportPage': method(ExportPageInput, (p) => m.exportPage(p.after, p.limit, p.include_deleted)),
    // A memory this host refuses (say, a category it does not allow) is reported by id; the rest still import.
    'memory.importBatch': method(ImportBatchInput, async (p, a) => {
      const counts: Record<ImportOutcome, number> = { created: 0, exists: 0, erased: 0 };
      const rejected: { id: string; reason: string }[] = [];
      for (const memory of p.memories) {
        try {
          counts[await m.importOne(memory, a)]++;
        } catch (err) {
          if (!(err instanceof MeshError && REFUSED_IMPORT_CODES.has(err.code))) throw err;
          rejected.push({ id: memory.id, reason: err.message });
        }
      }
      return { ...counts, rejected };
    }),
    'memory.history': method(HistoryInput, async (p) => ({ id: p.memory_id, history: await m.history(p.memory_id) })),
    'daemon.status': method(EmptyInput, () => deps.status()),
    'mesh.invite': method(InviteInput, (p) => deps.replication().invite(p.ttl_hours === undefined ? undefined : p.ttl_hours * 3_600_000)),
    'mesh.peers': method(EmptyInput, () => ({ peers: deps.replication().peers() })),
    'mesh.removePeer': method(PeerInput, (p) => deps.replication().removePeer(p.peer)),
    'mesh.readmitPeer': method(ReadmitInput, (p) => deps.replication().readmitPeer(p.peer, p.name)),
    'mesh.setTeam': method(TeamInput, (p) => deps.replication().setTeam(p.peer, p.team, p.role)),
    'mesh.setAdmin': method(AdminInput, (p) => deps.replication().setAdmin(p.peer, p.admin)),
    'mesh.sync': method(SyncInput, async (p) => ({ results: await deps.replication().syncNow(p.peer, { full: p.full === true }) })),
    ...deps.extra,
    'daemon.ping': method(EmptyInput, () => ({ pong: true })),
    'daemon.model': method(EmptyInput, () => deps.model()),
    'daemon.reindex': method(EmptyInput, () => deps.reindex()),
    'daemon.stop': method(EmptyInput, () => {
      // Answer first, then stop, so the caller learns the stop was accepted.
      setImmediate(deps.stop);
      return { stopping: true };
    }),
  };

  return async function handle(req: Request): Promise<unknown> {
    const entry = methods[req.method];
    if (!entry) throw new MeshError('UNKNOWN_METHOD', `unknown method ${req.method}`);
    const parsed = entry.schema.safeParse(req.params ?? {});
    if (!parsed.success) throw new InvalidInputError(formatZodError(parsed.error), { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    return await entry.handler(parsed.data, actorOf(req.ctx, deps.machine), req.ctx);
  };
}

function actorOf(ctx: CallContext, machine: string): Actor {
  return { machine, agent: ctx.agent };
}

/** "content: content must not be empty; tags.0: ..." - names the field so a model can fix its call. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
