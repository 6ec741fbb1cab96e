import { openSync, readFileSync, readSync, writeFileSync, writeSync, closeSync, fstatSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Inverts `count` bytes of a file starting at `at` (a negative `at` counts from the end): bit rot, as a disk does it. */
export function flipBytes(path: string, at: number, count: number): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const start = at < 0 ? Math.max(0, size + at) : at;
    const buf = Buffer.alloc(Math.min(count, size - start));
    readSync(fd, buf, 0, buf.length, start);
    for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! ^ 0xff;
    writeSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
}

/**
 * Points the first level-0 link of every element of an hnswlib index file far outside the graph.
 * hnswlib reads such a file without complaint and segfaults at the first search that follows a
 * link. Layout (hnswlib saveIndex): a 96-byte header holding cur_element_count at 16 and
 * size_data_per_element at 24, then each element: link count (4 bytes), links, vector, label.
 */
export function breakHnswLinks(path: string): void {
  const bytes = readFileSync(path);
  const count = Number(bytes.readBigUInt64LE(16));
  const size = Number(bytes.readBigUInt64LE(24));
  for (let i = 0; i < count; i++) bytes.writeUInt32LE(0x7fffff00, 96 + i * size + 4);
  writeFileSync(path, bytes);
}

/** Byte offset of the b-tree page holding table `name`'s root in a SQLite file (closed by the caller's other handles or not: read-only). */
export function sqliteRootPageOffset(path: string, name: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const page = (db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(name) as { rootpage: number }).rootpage;
    const size = (db.pragma('page_size') as { page_size: number }[])[0]!.page_size;
    return (page - 1) * size;
  } finally {
    db.close();
  }
}

/**
 * Overwrites the FTS5 index blocks of a keyword index with random bytes through a second
 * connection, as bit rot inside those pages looks to SQLite: every page is structurally sound
 * (quick_check passes) but FTS5 finds its own records malformed at query time.
 */
export function scrambleFtsBlocks(path: string): void {
  const db = new Database(path);
  try {
    // Unsafe mode lifts SQLite's defensive flag, which otherwise refuses writes to FTS5's own tables.
    db.unsafeMode(true);
    db.exec('UPDATE memory_fts_data SET block = randomblob(length(block)) WHERE id > 10');
  } finally {
    db.close();
  }
}
