import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { isSqliteCorruption } from './sqliteCorruption.js';

/**
 * Embeddings by (model id, content hash): derived data, so identical text (an edit undone, the
 * same note stored on two hosts, a reindex) is never embedded twice with the same model.
 * A cache that cannot be trusted costs only re-embedding: a damaged file is deleted and started
 * afresh, and a stored vector of the wrong size or with non-finite values counts as a miss, so
 * nothing damaged reaches the vector index.
 */
export class EmbeddingCache {
  private db!: Database.Database;
  private getStmt!: Database.Statement;
  private putStmt!: Database.Statement;
  private delStmt!: Database.Statement;

  private constructor(
    private readonly path: string,
    private readonly dimension: number,
    private readonly logger: Logger,
  ) {}

  static open(path: string, dimension: number, logger: Logger): EmbeddingCache {
    const cache = new EmbeddingCache(path, dimension, logger);
    try {
      cache.openDb();
      // A damaged header or schema page fails here already; a damaged row fails when read.
      cache.db.prepare('SELECT count(*) FROM embeddings WHERE key = ?').get('');
    } catch (err) {
      cache.resetOnCorruption(err);
    }
    return cache;
  }

  get(key: string): Float32Array | undefined {
    let row: { vector: Buffer } | undefined;
    try {
      row = this.getStmt.get(key) as { vector: Buffer } | undefined;
    } catch (err) {
      this.resetOnCorruption(err);
      return undefined;
    }
    if (!row) return undefined;
    const v = row.vector;
    if (v.byteLength !== this.dimension * 4) return this.drop(key);
    const vector = new Float32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    return vector.every(Number.isFinite) ? vector : this.drop(key);
  }

  putMany(entries: readonly [string, Float32Array][]): void {
    try {
      this.db.transaction(() => {
        for (const [key, v] of entries) this.putStmt.run(key, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      })();
    } catch (err) {
      // Not cached this time: the vectors are still used; only a later re-embedding costs more.
      this.resetOnCorruption(err);
    }
  }

  close(): void {
    if (this.db?.open) this.db.close();
  }

  private openDb(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = OFF');
    this.db.exec('CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID');
    this.getStmt = this.db.prepare('SELECT vector FROM embeddings WHERE key = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)');
    this.delStmt = this.db.prepare('DELETE FROM embeddings WHERE key = ?');
  }

  private drop(key: string): undefined {
    this.logger.warn({ key }, 'cached embedding has the wrong size or non-finite values; embedding again');
    try {
      this.delStmt.run(key);
    } catch (err) {
      this.resetOnCorruption(err);
    }
    return undefined;
  }

  /** Deletes a damaged cache and opens an empty one, synchronously, so no statement ever runs on a closed handle. */
  private resetOnCorruption(err: unknown): void {
    if (!isSqliteCorruption(err)) throw err;
    this.logger.error({ err: (err as Error).message, path: this.path }, 'the embedding cache is damaged: deleting it (embeddings are recomputed as needed)');
    this.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(this.path + suffix, { force: true });
    this.openDb();
  }
}
