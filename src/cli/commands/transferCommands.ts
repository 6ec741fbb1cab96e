import { createReadStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Memory } from '../../domain/Memory.js';
import { EXPORT_FORMAT, EXPORT_PAGE, EXPORT_VERSION, ExportedMemory, ExportHeader, type ImportOutcome } from '../../domain/memoryExport.js';
import { InvalidInputError } from '../../errors.js';
import { withDaemon, type CommonOptions } from '../context.js';
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
          const header: ExportHeader = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: new Date().toISOString(), machine: hostName(), count: lines.length };
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
    .description('import memories from a `mesh export` file: existing ids are kept as they are, erased ones stay erased')
    .argument('<file>', 'a JSON Lines export')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: CommonOptions) => {
      try {
        const { memories, errors } = await readExport(file);
        const counts: Record<ImportOutcome, number> = { created: 0, exists: 0, erased: 0 };
        const lineOf = new Map(memories.map((m) => [m.memory.id, m.line]));
        await withDaemon(opts, async (c) => {
          for (let i = 0; i < memories.length; i += EXPORT_PAGE) {
            const batch = memories.slice(i, i + EXPORT_PAGE).map((m) => m.memory);
            const r = await c.call<Record<ImportOutcome, number> & { rejected: { id: string; reason: string }[] }>('memory.importBatch', { memories: batch });
            for (const k of Object.keys(counts) as ImportOutcome[]) counts[k] += r[k];
            for (const x of r.rejected) errors.push({ line: lineOf.get(x.id) ?? 0, reason: x.reason });
            if (process.stderr.isTTY && !opts.json) process.stderr.write(`\rimported ${Math.min(i + EXPORT_PAGE, memories.length)}/${memories.length}`);
          }
        });
        if (process.stderr.isTTY && !opts.json && memories.length > 0) process.stderr.write('\n');
        errors.sort((x, y) => x.line - y.line);
        const summary = { ...counts, invalid: errors.length, errors: errors.slice(0, MAX_LISTED_ERRORS) };
        if (opts.json) printJson(summary);
        else printText(`${counts.created} created, ${counts.exists} already present, ${counts.erased} erased here (not brought back)${errors.length ? `, ${errors.length} invalid lines:\n${summary.errors.map((e) => `  line ${e.line}: ${e.reason}`).join('\n')}` : ''}`);
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

function hostName(): string {
  return hostname();
}

/** Reads and validates an export line by line; a bad line is reported by number, the rest still import. */
async function readExport(file: string): Promise<{ memories: { line: number; memory: ExportedMemory }[]; errors: { line: number; reason: string }[] }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const memories: { line: number; memory: ExportedMemory }[] = [];
  const errors: { line: number; reason: string }[] = [];
  let n = 0;
  try {
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
      if (n === 1) {
        const header = ExportHeader.safeParse(raw);
        if (!header.success) throw new InvalidInputError(`${file} is not a mesh export (its first line is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} header)`);
        continue;
      }
      const parsed = ExportedMemory.safeParse(raw);
      if (parsed.success) memories.push({ line: n, memory: parsed.data });
      else errors.push({ line: n, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'memory'}: ${i.message}`).join('; ') });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInputError(`cannot read ${file}: no such file`);
    throw err;
  }
  if (n === 0) throw new InvalidInputError(`${file} is empty`);
  return { memories, errors };
}
