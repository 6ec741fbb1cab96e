import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import type { SearchMemoriesInput, StoreMemoryInput } from '../../domain/memorySchemas.js';
import type { Memory } from '../../domain/Memory.js';
import type { AttributedEntry } from '../../authorship/historyAuthors.js';
import { listText, memoryText } from '../../mcp/results.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';
import { list, wholeNumber } from '../parsers.js';


/** The API's names for what `mesh update` calls flags. */
const UPDATE_TERMS = { content: '--content', tags: '--tags', category: '--category', project: '--project', context: '--context' };

/**
 * store, get, update, search, rm, recover, doc: thin clients of the daemon API (which validates every field).
 * Option types name the schema's words (scope, mode); commander hands over whatever was typed and the
 * daemon's schema refuses an unknown word with INVALID_INPUT, the same error the MCP tools give.
 */
export function registerMemoryCommands(program: Command): void {
  program
    .command('store')
    .description('store a memory')
    .argument('<text>', 'the content to remember')
    .option('--category <c>', 'category (default project)')
    .option('--tags <a,b>', 'comma-separated tags', list)
    .option('--project <p>', 'project name')
    .option('--context <text>', 'where this came from')
    .option('--scope <scope>', 'mesh (default), team or private')
    .option('--team <team>', 'with --scope team: which team (default: this host\'s only team)')
    .option('--allow-secret', 'store it even if it looks like a credential (secrets belong in a vault: mesh vault set)')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (text: string, opts: CommonOptions & { category?: string; tags?: string[]; project?: string; context?: string; scope?: StoreMemoryInput['scope']; team?: string; allowSecret?: boolean }) => {
      try {
        const params = { content: text, category: opts.category, tags: opts.tags, project: opts.project, context: opts.context, scope: opts.scope, team: opts.team, ...(opts.allowSecret ? { allow_secret: true } : {}) };
        const m = await withDaemon(opts, (c) => c.call('memory.store', params));
        if (opts.json) printJson({ id: m.id, scope: m.scope, ...(m.team ? { team: m.team } : {}), memory: m });
        else printText(m.id);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('get')
    .description('show one memory')
    .argument('<id>', 'memory id')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: CommonOptions) => {
      try {
        const m = await withDaemon(opts, (c) => c.call('memory.retrieve', { memory_id: id }));
        if (opts.json) printJson(m);
        else printText(memoryText(m));
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('update')
    .description('edit a memory: content, tags, category, project or context (what an agent does with update_memory)')
    .argument('<id>', 'memory id (or a unique prefix)')
    .option('--content <text>', 'new content')
    .option('--tags <a,b>', 'replace the tags', list)
    .option('--category <c>', 'new category')
    .option('--project <p>', 'new project')
    .option('--context <text>', 'new context')
    .option('--allow-secret', 'store it even if it looks like a credential')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: CommonOptions & { content?: string; tags?: string[]; category?: string; project?: string; context?: string; allowSecret?: boolean }) => {
      try {
        if ([opts.content, opts.tags, opts.category, opts.project, opts.context].every((v) => v === undefined)) {
          throw new InvalidInputError(`nothing to update: give at least one of ${Object.values(UPDATE_TERMS).join(', ')}`);
        }
        const params = { memory_id: id, content: opts.content, tags: opts.tags, category: opts.category, context: opts.context, project: opts.project, ...(opts.allowSecret ? { allow_secret: true } : {}) };
        const m = await withDaemon(opts, (c) => c.call('memory.update', params));
        if (opts.json) printJson(m);
        else printText(`updated ${m.id}`);
      } catch (err) {
        fail(err, UPDATE_TERMS);
      }
    });

  program
    .command('search')
    .description('search memories')
    .argument('<query>', 'words or exact tokens')
    .option('--limit <n>', 'maximum results', wholeNumber)
    .option('--mode <mode>', 'hybrid (default), semantic or keyword')
    .option('--category <c>', 'only this category')
    .option('--project <p>', 'only this project')
    .option('--machine <m>', 'only this machine')
    .option('--tags <a,b>', 'only memories with all these tags', list)
    .option('--deleted', 'include soft-deleted memories')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (query: string, opts: CommonOptions & { limit?: number; mode?: SearchMemoriesInput['mode']; category?: string; project?: string; machine?: string; tags?: string[]; deleted?: boolean }) => {
      try {
        const params = { query, limit: opts.limit, mode: opts.mode, category: opts.category, project: opts.project, machine: opts.machine, tags: opts.tags, include_deleted: opts.deleted };
        const r = await withDaemon(opts, (c) => c.call('memory.search', params));
        if (opts.json) printJson(r);
        else printText(listText(`Results for "${query}"${r.expanded?.length ? ` (also searched: ${r.expanded.join(', ')})` : ''}`, r.results) + (r.notice ? `\nNote: ${r.notice}` : ''));
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('rm')
    .description('delete a memory (soft by default; --hard erases it)')
    .argument('<id>', 'memory id')
    .option('--hard', 'erase for good')
    .option('--reason <text>', 'why')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: CommonOptions & { hard?: boolean; reason?: string }) => {
      try {
        const r = await withDaemon(opts, (c) => c.call('memory.delete', { memory_id: id, hard_delete: opts.hard ?? false, reason: opts.reason }));
        if (opts.json) printJson(r);
        else printText(r.hard ? `erased ${r.id}` : `deleted ${r.id} (recoverable until ${r.recoverable_until})`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('recover')
    .description('bring back a soft-deleted memory (within the retention period)')
    .argument('<id>', 'memory id (or a unique prefix)')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: CommonOptions) => {
      try {
        const m = await withDaemon(opts, (c) => c.call('memory.recover', { memory_id: id }));
        if (opts.json) printJson(m);
        else printText(`recovered ${m.id}`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('doc')
    .description('show a document and, with --history, its change history: who, where, when, what')
    .argument('<id>', 'document (memory) id')
    .option('--history', 'show the Automerge change history')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: CommonOptions & { history?: boolean }) => {
      try {
        const r = await withDaemon(opts, async (c) => {
          const memory = await c.call('memory.retrieve', { memory_id: id });
          const history = opts.history ? (await c.call('memory.history', { memory_id: id })).history : undefined;
          return { memory, history };
        });
        if (opts.json) printJson(history(r));
        else {
          printText(memoryText(r.memory));
          if (r.history) {
            printText('\nhistory:');
            for (const h of r.history) printText(historyLine(h));
          }
        }
      } catch (err) {
        fail(err);
      }
    });
}

function history(r: { memory: Memory; history: AttributedEntry[] | undefined }) {
  return r.history ? { memory: r.memory, history: r.history } : { memory: r.memory };
}

/** One change: the verified author first (its signature), then what the change claims about itself. */
function historyLine(h: AttributedEntry): string {
  const a = h.author;
  const who = a.status === 'verified' ? `on ${a.host ?? a.peer} (verified)` : a.status === 'unsigned' ? 'unsigned legacy change (author unverified)' : `INVALID SIGNATURE: ${a.reason}`;
  const claims = `claims: ${h.agent ?? '?'} on ${h.machine ?? '?'}${h.claim_mismatch ? '  [CLAIM MISMATCH]' : ''}`;
  return `  ${h.time}  ${h.action ?? 'change'}  ${who}  ${claims}  fields: ${h.fields.join(', ')}  (${h.actor.slice(0, 8)}#${h.seq} ${h.hash.slice(0, 12)})`;
}
