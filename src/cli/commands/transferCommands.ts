import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Memory } from '../../domain/Memory.js';
import { EXPORT_FORMAT, EXPORT_PAGE, EXPORT_VERSION, ExportedMemory, ExportHeader, type ImportOutcome } from '../../domain/memoryExport.js';
import { InvalidInputError } from '../../errors.js';
import { MAX_INPUT_DEPTH, MAX_REPLY_BYTES } from '../../constants.js';
import { describeShapeProblem, findShapeProblem } from '../../domain/inputShape.js';
import { jsonBytes } from '../../domain/replyBudget.js';
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
        // Pages go to a spool file as they arrive (memory stays at one page), then the header,
        // which counts them, is written first and the spool copied after it.
        const spoolDir = await mkdtemp(join(opts.out ? dirname(opts.out) : tmpdir(), '.mesh-export-'));
        const spool = join(spoolDir, 'memories.jsonl');
        let count: number;
        let name = '';
        try {
          count = await withDaemon(opts, async (c) => {
            // The header names the home as everything else does (its mesh name), not the OS hostname.
            name = (await c.call('daemon.status', {})).name;
            const total = await c.call('memory.stats', {});
            const body = await open(spool, 'w', 0o600);
            let n = 0;
            try {
              let after: string | undefined;
              for (;;) {
                const page = await c.call('memory.exportPage', { after, limit: EXPORT_PAGE, include_deleted: opts.deleted ?? false });
                if (page.memories.length) await body.write(page.memories.map((m) => `${JSON.stringify(exportLine(m))}\n`).join(''));
                n += page.memories.length;
                if (!page.next) break;
                after = page.next;
                if (opts.out && process.stderr.isTTY) process.stderr.write(`\rexported ${n}/${total.total + (opts.deleted ? total.deleted : 0)}`);
              }
            } finally {
              await body.close();
            }
            return n;
          });
          const header: ExportHeader = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: new Date().toISOString(), machine: name, count };
          if (opts.out) {
            const tmp = `${opts.out}.tmp-${process.pid}`;
            const fh = await open(tmp, 'w', 0o600);
            try {
              await fh.write(`${JSON.stringify(header)}\n`);
              for await (const chunk of createReadStream(spool)) await fh.write(chunk as Buffer);
              await fh.sync();
            } finally {
              await fh.close();
            }
            await rename(tmp, opts.out);
            if (process.stderr.isTTY) process.stderr.write('\n');
          } else {
            process.stdout.write(`${JSON.stringify(header)}\n`);
            await pipeline(createReadStream(spool), process.stdout, { end: false });
          }
        } finally {
          await rm(spoolDir, { recursive: true, force: true });
        }
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
        for (const file of files) await checkReadable(file);
        const errors: ImportError[] = [];
        const counts: Record<ImportOutcome, number> = { created: 0, exists: 0, erased: 0 };
        let sent = 0;
        await withDaemon(opts, async (c) => {
          // Plain notes are recorded as written here, under the home's name, by this CLI user.
          const origin: NoteOrigin = { machine: (await c.call('daemon.status', {})).name, agent: cliAgent(), now: new Date().toISOString(), category: opts.category, tags: opts.tags, project: opts.project };
          // Batches are bounded by count and by bytes (one socket frame each), so large memories make smaller batches.
          let batch: Located[] = [];
          let bytes = 0;
          const flush = async () => {
            if (batch.length === 0) return;
            const where = new Map(batch.map((m) => [m.memory.id, m]));
            const r = await c.call('memory.importBatch', { memories: batch.map((m) => m.memory) });
            for (const k of Object.keys(counts) as ImportOutcome[]) counts[k] += r[k];
            for (const x of r.rejected) {
              const at = where.get(x.id);
              errors.push({ ...(files.length > 1 && at ? { file: at.file } : {}), line: at?.line ?? 0, reason: x.reason });
            }
            sent += batch.length;
            batch = [];
            bytes = 0;
            if (process.stderr.isTTY && !opts.json) process.stderr.write(`\rimported ${sent}`);
          };
          for (const file of files) {
            const fileErrors: { line: number; reason: string }[] = [];
            for await (const item of readImportFile(file, fileErrors)) {
              const memory = 'note' in item ? ExportedMemory.safeParse(noteToMemory(item.note, origin)) : { success: true as const, data: item.memory };
              if (!memory.success) {
                fileErrors.push({ line: item.line, reason: zodReason(memory.error) });
                continue;
              }
              const size = jsonBytes(memory.data);
              if (batch.length >= EXPORT_PAGE || (batch.length > 0 && bytes + size > MAX_REPLY_BYTES)) await flush();
              batch.push({ file, line: item.line, memory: memory.data });
              bytes += size;
            }
            errors.push(...fileErrors.map((e) => ({ ...(files.length > 1 ? { file } : {}), ...e })));
          }
          await flush();
        });
        if (process.stderr.isTTY && !opts.json && sent > 0) process.stderr.write('\n');
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

interface ImportError {
  file?: string;
  line: number;
  reason: string;
}

interface Located {
  file: string;
  line: number;
  memory: ExportedMemory;
}

type ImportItem = { line: number; memory: ExportedMemory } | { line: number; note: PlainNote };

function zodReason(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'memory'}: ${i.message}`).join('; ');
}

/** The fields of a memory an import restores (derived ones like format_version are left out). */
function exportLine(m: Memory): ExportedMemory {
  const { format_version: _v, updated_by: _u, ...rest } = m;
  return rest;
}

/** Fails before anything is imported (or a daemon started) when a file cannot be read or is empty. */
async function checkReadable(file: string): Promise<void> {
  const fh = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new InvalidInputError(`cannot read ${file}: no such file`);
    throw err;
  });
  try {
    if ((await fh.stat()).size === 0) throw new InvalidInputError(`${file} is empty`);
  } finally {
    await fh.close();
  }
}

/**
 * Streams what one file holds to import. A Markdown or text file is notes by section; a JSON
 * Lines file is an export when its first line is an export header (every line then a full
 * memory), else plain notes (a line may also be a full export line). A bad line goes to `errors`
 * by number; the rest still import.
 */
async function* readImportFile(file: string, errors: { line: number; reason: string }[]): AsyncGenerator<ImportItem> {
  if (isTextNotesFile(file)) {
    const notes = textNotes(await readFile(file, 'utf8'), file);
    if (notes.length === 0) throw new InvalidInputError(`${file} is empty`);
    for (const note of notes) yield { line: 1, note };
    return;
  }
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
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
      if (!ExportHeader.safeParse(raw).success) throw new InvalidInputError(`${file} is not a mesh export (its first line is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} header)`);
      isExport = true;
      continue;
    }
    // The daemon refuses a whole batch whose params break the shape bounds: such a line is reported here, alone.
    const shape = findShapeProblem(raw, { depth: MAX_INPUT_DEPTH - 2 });
    if (shape) {
      errors.push({ line: n, reason: describeShapeProblem(shape) });
      continue;
    }
    const full = ExportedMemory.safeParse(raw);
    if (full.success) {
      yield { line: n, memory: full.data };
      continue;
    }
    // An export line carries an id; anything else is read as a plain note.
    const plain = isExport || (typeof raw === 'object' && raw !== null && 'id' in raw) ? undefined : parsePlainNote(raw);
    if (plain && 'note' in plain) yield { line: n, note: plain.note };
    else errors.push({ line: n, reason: plain ? `not a note { content, category?, tags?, project? }: ${plain.reason}` : zodReason(full.error) });
  }
}
