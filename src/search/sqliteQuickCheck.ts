import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Runs in a worker: its own read-only connection (WAL lets it read beside the daemon's). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
try {
  const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  try {
    parentPort.postMessage({ rows: db.pragma('quick_check').map((r) => r.quick_check) });
  } finally {
    db.close();
  }
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message), code: err && err.code });
}
`;

export type QuickCheckResult = { ok: true } | { ok: false; reason: string; code?: string };

/**
 * SQLite's structural check (`PRAGMA quick_check`: every page of every b-tree) of the file at
 * `path`, on a worker thread: it reads the whole file (~2.5 s for the 72 MiB index of 100k
 * memories here), which must not hold the daemon's event loop.
 */
export function quickCheckInWorker(path: string): Promise<QuickCheckResult> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, module } });
    worker.once('message', (m: { rows?: string[]; error?: string; code?: string }) => {
      if (m.rows) resolve(m.rows.length === 1 && m.rows[0] === 'ok' ? { ok: true } : { ok: false, reason: `quick_check: ${m.rows.slice(0, 3).map((r) => r.replace(/\s+/g, ' ')).join('; ')}`, code: 'SQLITE_CORRUPT' });
      else resolve({ ok: false, reason: m.error ?? 'quick_check failed', ...(m.code ? { code: m.code } : {}) });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
