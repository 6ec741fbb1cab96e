import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SourceCount } from '../domain/MemoryService.js';
import {
  DeleteMemoryInput,
  EmptyInput,
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
import type { DaemonLink } from './DaemonLink.js';
import { DeleteOut, MachineContextOut, MemoryOut, ProjectOut, ResultsOut, SearchOut, SourcesOut, StatsOut, StoreOut } from './outputSchemas.js';
import { guarded, listText, memoryText, ok } from './results.js';
import { scopeText, sessionModeOf } from './sessionMode.js';



/** The core group: always exposed. Each tool is a thin call to the daemon's API. */
export function registerCoreTools(server: McpServer, link: DaemonLink): void {
  server.registerTool(
    'store_memory',
    {
      title: 'Store a memory',
      description: 'Save a fact, decision, fix or config note for every agent on every host (scope narrows that).',
      inputSchema: StoreMemoryInput,
      outputSchema: StoreOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded(async (args) => {
      const mode = sessionModeOf(link);
      const m = await link.call('memory.store', await mode.applyToStore(args));
      return ok(`Stored memory ${m.id} (${m.category}${m.tags.length ? `, tags: ${m.tags.join(', ')}` : ''}) with ${scopeText(m)}, in ${(await mode.get()).mode} mode.`, { id: m.id, scope: m.scope, ...(m.team ? { team: m.team } : {}), mode: (await mode.get()).mode, memory: m });
    }),
  );

  server.registerTool(
    'retrieve_memory',
    {
      title: 'Retrieve a memory',
      description: 'One memory by id, with its provenance and times.',
      inputSchema: RetrieveMemoryInput,
      outputSchema: MemoryOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const m = await link.call('memory.retrieve', args);
      return ok(memoryText(m), { ...m });
    }),
  );

  server.registerTool(
    'update_memory',
    {
      title: 'Update a memory',
      description: 'Change the given fields of a memory; its history keeps the edit.',
      inputSchema: UpdateMemoryInput,
      outputSchema: MemoryOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      await sessionModeOf(link).checkExisting(() => link.call('memory.retrieve', { memory_id: args.memory_id }));
      const m = await link.call('memory.update', args);
      return ok(`Updated memory ${m.id} (${scopeText(m)}).\n\n${memoryText(m)}`, { ...m });
    }),
  );

  server.registerTool(
    'search_memories',
    {
      title: 'Search memories',
      description: 'Find memories by meaning and by exact tokens (hostnames, error codes, CVE ids), best first, with filters.',
      inputSchema: SearchMemoriesInput,
      outputSchema: SearchOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('memory.search', args);
      const also = r.expanded?.length ? ` (also searched: ${r.expanded.join(', ')})` : '';
      return ok(listText(`Results for "${args.query}"${also}`, r.results) + (r.notice ? `\nNote: ${r.notice}` : ''), { ...r });
    }),
  );

  server.registerTool(
    'get_recent_memories',
    {
      title: 'Recent memories',
      description: 'Memories changed in the last hours, newest first. A registered agent also gets its unread broadcasts.',
      inputSchema: RecentMemoriesInput,
      outputSchema: ResultsOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('memory.recent', args);
      const inbox = 'inbox' in r && r.inbox.length ? `${listText('Inbox: broadcasts from other agents, unread until now', r.inbox)}\n\n` : '';
      return ok(inbox + listText(`Memories from the last ${args.hours ?? 24} h`, r.results), { ...r });
    }),
  );

  server.registerTool(
    'delete_memory',
    {
      title: 'Delete a memory',
      description: 'Soft-delete a memory (recoverable for the retention period). hard_delete erases it on every host: only for leaked secrets or personal data.',
      inputSchema: DeleteMemoryInput,
      outputSchema: DeleteOut,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    guarded(async (args) => {
      const before = await sessionModeOf(link).checkExisting(() => link.call('memory.retrieve', { memory_id: args.memory_id }));
      const r = await link.call('memory.delete', args);
      return ok(r.hard ? `Erased memory ${r.id}.` : `Deleted memory ${r.id}; recoverable until ${r.recoverable_until}.`, { ...r, scope: before.scope, ...(before.team ? { team: before.team } : {}) });
    }),
  );

  server.registerTool(
    'recover_deleted_memory',
    {
      title: 'Recover a deleted memory',
      description: 'Undo a soft delete (not an erasure).',
      inputSchema: RecoverMemoryInput,
      outputSchema: MemoryOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded(async (args) => {
      await sessionModeOf(link).checkExisting(() => link.call('memory.retrieve', { memory_id: args.memory_id }));
      const m = await link.call('memory.recover', args);
      return ok(`Recovered memory ${m.id}.`, { ...m });
    }),
  );

  server.registerTool(
    'list_deleted_memories',
    {
      title: 'List deleted memories',
      description: 'Soft-deleted memories that can still be recovered, newest first.',
      inputSchema: ListDeletedInput,
      outputSchema: ResultsOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('memory.listDeleted', args);
      return ok(listText('Deleted memories', r.results), { ...r });
    }),
  );

  server.registerTool(
    'get_memory_stats',
    {
      title: 'Memory statistics',
      description: 'Memory counts: total, deleted, by category, machine and project.',
      inputSchema: EmptyInput,
      outputSchema: StatsOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async () => {
      const s = await link.call('memory.stats', {});
      const fmt = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      return ok(`${s.total} memories (${s.deleted} deleted)\nby category: ${fmt(s.by_category)}\nby machine: ${fmt(s.by_machine)}\nby project: ${fmt(s.by_project)}`, { ...s });
    }),
  );

  server.registerTool(
    'get_project_memories',
    {
      title: 'Project memories',
      description: 'A project\'s memories, newest first; without project, the projects with counts.',
      inputSchema: ProjectMemoriesInput,
      outputSchema: ProjectOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('memory.project', args);
      if (r.project === null) {
        const lines = (r.projects ?? []).map((p) => `- ${p.name}: ${p.count} (last ${p.last_activity})`);
        return ok(lines.length ? `Projects:\n${lines.join('\n')}` : 'No project has memories yet.', { ...r });
      }
      return ok(listText(`Memories of project ${r.project}`, r.results), { ...r });
    }),
  );

  server.registerTool(
    'get_machine_context',
    {
      title: 'Machine context',
      description: 'What one machine wrote: counts, agents, recent memories.',
      inputSchema: MachineContextInput,
      outputSchema: MachineContextOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async (args) => {
      const r = await link.call('memory.machineContext', args);
      const cats = Object.entries(r.by_category).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      return ok(`Machine ${r.machine}: ${r.total} memories (${cats}); agents: ${r.agents.join(', ') || 'none'}\n${listText('Recent', r.recent)}`, { ...r });
    }),
  );

  server.registerTool(
    'list_memory_sources',
    {
      title: 'Memory sources',
      description: 'Machines, agents and projects that wrote memories, with counts and last activity.',
      inputSchema: EmptyInput,
      outputSchema: SourcesOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(async () => {
      const r = await link.call('memory.sources', {});
      const fmt = (xs: SourceCount[]) => xs.map((x) => `${x.name} (${x.count})`).join(', ') || 'none';
      return ok(`machines: ${fmt(r.machines)}\nagents: ${fmt(r.agents)}\nprojects: ${fmt(r.projects)}`, { ...r });
    }),
  );
}
