import { createReadStream } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Memory } from '../../domain/Memory.js';
import { EXPORT_FORMAT, EXPORT_PAGE, EXPORT_VERSION, ExportedMemory, ExportHeader, type ImportOutcome } from '../../domain/memoryExport.js';
import { InvalidInputError } from '../../errors.js';
import { isTextNotesFile, noteToMemory, parsePlainNote, textNotes, type NoteOrigin, type PlainNote } from '../../domain/plainNotes.js';
import type { z } from 'zod';
import { list } from '../parsers.js';
import { cliAgent, withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

/** How many bad lines an import lists by number; the count covers the rest. */
const MAX_LISTED_ERRORS = 20;

/** `mesh export` and `mesh import`: memories as JSON Lines (format in src/domain/memoryExport.ts). */
export function registerTransferCommands(program: Command): void {
  program
    .command('export')
    .description('write every memory (with ids and provenance) as JSON Lines, to --out or stdout')
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .option('--deleted', 'include soft-deleted memories')
    .option('--home <dir>', 'data directory')
    .option('--json', 'with --out: print a JSON summary')
    .action(async (opts: CommonOptions & { out?: string; deleted?: boolean }) => {
      try {
        const count = await withDaemon(opts, async (c) => {
          // The header names the home as everything else does (its mesh name), not the OS hostname.
          const { name } = await c.call<{ name: string }>('daemon.status');
          const total = await c.call<{ total: number; deleted: number }>('memory.stats', {});
          const lines: string[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await c.call<{ memories: Memory[]; next: string | null }>('memory.exportPage', { after, limit: EXPORT_PAGE, include_deleted: opts.deleted ?? false });
            for (const m of page.memories) lines.push(JSON.stringify(exportLine(m)));
            if (!page.next) break;
            after = page.next;
            if (opts.out && process.stderr.isTTY) process.stderr.write(`\rexported ${lines.length}/${total.total + (opts.deleted ? total.deleted : 0)}`);
          }
          const header: ExportHeader = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: new Date().toISOString(), machine: name, count: lines.length };
          const text = [JSON.stringify(header), ...lines].join('\n') + '\n';
          if (opts.out) {
            const tmp = `${opts.out}.tmp-${process.pid}`;
            const fh = await open(tmp, 'w', 0o600);
            try {
              await fh.writeFile(text);
              await fh.sync();
            } finally {
              await fh.close();
            }
            await rename(tmp, opts.out);
            if (process.stderr.isTTY) process.stderr.write('\n');
          } else process.stdout.write(text);
          return lines.length;
        });
        if (opts.out) {
          if (opts.json) printJson({ file: opts.out, count });
          else printText(`exported ${count} memories to ${opts.out}`);
        }
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('import')
    .description('import memories: a `mesh export` file (ids kept, erased ones stay erased), JSON lines of plain notes { content, category, tags?, project? }, or Markdown / text files (one memory per top-level section, else per file)')
    .argument('<files...>', 'a JSON Lines export or notes file, or .md / .txt files')
    .option('--category <c>', 'category of plain notes that name none (default project)')
    .option('--tags <a,b>', 'tags added to every plain note', list)
    .option('--project <p>', 'project of plain notes that name none')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: CommonOptions & { category?: string; tags?: string[]; project?: string }) => {
      try {
        const read = await Promise.all(files.map((f) => readImportFile(f)));
        const errors = read.flatMap((r, i) => r.errors.map((e) => ({ ...(files.length > 1 ? { file: files[i]! } : {}), ...e })));
        const counts: Record<ImportOutcome, number> = { created: 0, exists: 0, erased: 0 };
        const memories: { file: string; line: number; memory: ExportedMemory }[] = [];
        await withDaemon(opts, async (c) => {
          // Plain notes are recorded as written here, under the home's name, by this CLI user.
          const origin: NoteOrigin = { machine: (await c.call<{ name: string }>('daemon.status')).name, agent: cliAgent(), now: new Date().toISOString(), category: opts.category, tags: opts.tags, project: opts.project };
          read.forEach((r, i) => {
            for (const item of r.items) {
              const memory = 'note' in item ? ExportedMemory.safeParse(noteToMemory(item.note, origin)) : { success: true as const, data: item.memory };
              if (memory.success) memories.push({ file: files[i]!, line: item.line, memory: memory.data });
              else errors.push({ ...(files.length > 1 ? { file: files[i]! } : {}), line: item.line, reason: zodReason(memory.error) });
            }
          });
          const where = new Map(memories.map((m) => [m.memory.id, m]));
          for (let i = 0; i < memories.length; i += EXPORT_PAGE) {
            const batch = memories.slice(i, i + EXPORT_PAGE).map((m) => m.memory);
            const r = await c.call<Record<ImportOutcome, number> & { rejected: { id: string; reason: string }[] }>('memory.importBatch', { memories: batch });
            for (const k of Object.keys(counts) as ImportOutcome[]) counts[k] += r[k];
            for (const x of r.rejected) {
              const at = where.get(x.id);
              errors.push({ ...(files.length > 1 && at ? { file: at.file } : {}), line: at?.line ?? 0, reason: x.reason });
            }
            if (process.stderr.isTTY && !opts.json) process.stderr.write(`\rimported ${Math.min(i + EXPORT_PAGE, memories.length)}/${memories.length}`);
          }
        });
        if (process.stderr.isTTY && !opts.json && memories.length > 0) process.stderr.write('\n');
        errors.sort((x, y) => (x.file ?? '').localeCompare(y.file ?? '') || x.line - y.line);
        const summary = { ...counts, invalid: errors.length, errors: errors.slice(0, MAX_LISTED_ERRORS) };
        if (opts.json) printJson(summary);
        else printText(`${counts.created} created, ${counts.exists} already present, ${counts.erased} erased here (not brought back)${errors.length ? `, ${errors.length} invalid:\n${summary.errors.map((e) => `  ${e.file ? `${e.file} ` : ''}line ${e.line}: ${e.reason}`).join('\n')}` : ''}`);
        if (errors.length) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });
}

/** The fields of a memory an import restores (derived ones like format_version are left out). */
function exportLine(m: Memory): ExportedMemory {
  const { format_version: _v, updated_by: _u, ...rest } = m;
  return rest;
}

type ImportItem = { line: number; memory: ExportedMemory } | { line: number; note: PlainNote };

function zodReason(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'memory'}: ${i.message}`).join('; ');
}

/**
 * Reads one file to import. A Markdown or text file is notes by section; a JSON Lines file is an
 * export when its first line is an export header (every line then a full memory), else plain
 * notes (a line may also be a full export line). A bad line is reported by number; the rest import.
 */
async function readImportFile(file: string): Promise<{ items: ImportItem[]; errors: { line: number; reason: string }[] }> {
  try {
    if (isTextNotesFile(file)) {
      const notes = textNotes(await readFile(file, 'utf8'), file);
      if (notes.length === 0) throw new InvalidInputError(`${file} is empty`);
      return { items: notes.map((n) => ({ line: 1, note: n })), errors: [] };
    }
    return await readJsonLines(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInputError(`cannot read ${file}: no such file`);
    throw err;
  }
}

async function readJsonLines(file: string): Promise<{ items: ImportItem[]; errors: { line: number; reason: string }[] }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const items: ImportItem[] = [];
  const errors: { line: number; reason: string }[] = [];
  let n = 0;
  let isExport = false;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      errors.push({ line: n, reason: 'not JSON' });
      continue;
    }
    if (n === 1 && typeof raw === 'object' && raw !== null && 'format' in raw) {
      const header = ExportHeader.safeParse(raw);
      if (!header.success) throw new InvalidInputError(`${file} is not a mesh export (its first line is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} header)`);
      isExport = true;
      continue;
    }
    const full = ExportedMemory.safeParse(raw);
    if (full.success) {
      items.push({ line: n, memory: full.data });
      continue;
    }
    // An export line carries an id; anything else is read as a plain note.
    const plain = isExport || (typeof raw === 'object' && raw !== null && 'id' in raw) ? undefined : parsePlainNote(raw);
    if (plain && 'note' in plain) items.push({ line: n, note: plain.note });
    else errors.push({ line: n, reason: plain ? `not a note { content, category?, tags?, project? }: ${plain.reason}` : zodReason(full.error) });
  }
  if (n === 0) throw new InvalidInputError(`${file} is empty`);
  return { items, errors };
}
