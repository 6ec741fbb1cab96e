import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Embeddings by (model id, content hash): derived data, so identical text (an edit undone, the
 * same note stored on two hosts, a reindex) is never embedded twice with the same model.
 */
export class EmbeddingCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement;
  private readonly putStmt: Database.Statement;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = OFF');
    this.db.exec('CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID');
    this.getStmt = this.db.prepare('SELECT vector FROM embeddings WHERE key = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)');
  }

  get(key: string): Float32Array | undefined {
    const row = this.getStmt.get(key) as { vector: Buffer } | undefined;
    if (!row) return undefined;
    return new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength));
  }

  putMany(entries: readonly [string, Float32Array][]): void {
    this.db.transaction(() => {
      for (const [key, v] of entries) this.putStmt.run(key, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
