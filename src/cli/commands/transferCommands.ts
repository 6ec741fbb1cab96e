import { createReadStream } from 'node:fs';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
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
        // Pages go to a spool file as they arrive (memory stays at one page), then the header,
        // which counts them, is written first and the spool copied after it.
        const spoolDir = await mkdtemp(join(opts.out ? dirname(opts.out) : tmpdir(), '.mesh-export-'));
        const spool = join(spoolDir, 'memories.jsonl');
        let count: number;
        try {
          count = await withDaemon(opts, async (c) => {
            const total = await c.call<{ total: number; deleted: number }>('memory.stats', {});
            const body = await open(spool, 'w', 0o600);
            let n = 0;
            try {
              let after: string | undefined;
              for (;;) {
                const page = await c.call<{ memories: Memory[]; next: string | null }>('memory.exportPage', { after, limit: EXPORT_PAGE, include_deleted: opts.deleted ?? false });
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
          const header: ExportHeader = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: new Date().toISOString(), machine: hostName(), count };
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
    .description('import memories from a `mesh export` file: existing ids are kept as they are, erased ones stay erased')
    .argument('<file>', 'a JSON Lines export')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: CommonOptions) => {
      try {
        await readHeader(file);
        const errors: { line: number; reason: string }[] = [];
        const counts: Record<ImportOutcome, number> = { created: 0, exists: 0, erased: 0 };
        let sent = 0;
        await withDaemon(opts, async (c) => {
          // Batches are bounded by count and by bytes (one socket frame each), so large memories make smaller batches.
          let batch: { line: number; memory: ExportedMemory }[] = [];
          let bytes = 0;
          const flush = async () => {
            if (batch.length === 0) return;
            const lineOf = new Map(batch.map((m) => [m.memory.id, m.line]));
            const r = await c.call<Record<ImportOutcome, number> & { rejected: { id: string; reason: string }[] }>('memory.importBatch', { memories: batch.map((m) => m.memory) });
            for (const k of Object.keys(counts) as ImportOutcome[]) counts[k] += r[k];
            for (const x of r.rejected) errors.push({ line: lineOf.get(x.id) ?? 0, reason: x.reason });
            sent += batch.length;
            batch = [];
            bytes = 0;
            if (process.stderr.isTTY && !opts.json) process.stderr.write(`\rimported ${sent}`);
          };
          for await (const entry of readExport(file, errors)) {
            const size = jsonBytes(entry.memory);
            if (batch.length >= EXPORT_PAGE || (batch.length > 0 && bytes + size > MAX_REPLY_BYTES)) await flush();
            batch.push(entry);
            bytes += size;
          }
          await flush();
        });
        if (process.stderr.isTTY && !opts.json && sent > 0) process.stderr.write('\n');
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

/** Checks the first line is an export header before anything is imported (or a daemon started). */
async function readHeader(file: string): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let first: string | undefined;
  try {
    for await (const text of lines) {
      first = text;
      break;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInputError(`cannot read ${file}: no such file`);
    throw err;
  } finally {
    lines.close();
  }
  if (first === undefined) throw new InvalidInputError(`${file} is empty`);
  let raw: unknown;
  try {
    raw = JSON.parse(first);
  } catch {
    raw = undefined;
  }
  if (!ExportHeader.safeParse(raw).success) throw new InvalidInputError(`${file} is not a mesh export (its first line is not a ${EXPORT_FORMAT} v${EXPORT_VERSION} header)`);
}

/** Streams the valid memories of an export (after its header), line by line; a bad line goes to `errors` by number, the rest still import. */
async function* readExport(file: string, errors: { line: number; reason: string }[]): AsyncGenerator<{ line: number; memory: ExportedMemory }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (n === 1 || text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      errors.push({ line: n, reason: 'not JSON' });
      continue;
    }
    // The daemon refuses a whole batch whose params break the shape bounds: such a line is reported here, alone.
    const shape = findShapeProblem(raw, { depth: MAX_INPUT_DEPTH - 2 });
    if (shape) {
      errors.push({ line: n, reason: describeShapeProblem(shape) });
      continue;
    }
    const parsed = ExportedMemory.safeParse(raw);
    if (parsed.success) yield { line: n, memory: parsed.data };
    else errors.push({ line: n, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'memory'}: ${i.message}`).join('; ') });
  }
}
