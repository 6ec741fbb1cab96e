import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** Only the end of LevelDB's LOG is read: it grows with every compaction until the next open rotates it. */
const LOG_TAIL_BYTES = 64 * 1024;
/** Lines in which LevelDB says it lost or could not read data ("Log #6: dropping 1366 bytes; Corruption: checksum mismatch"). */
const REPORT = /dropping|corrupt|checksum mismatch|bad (block|entry)|missing files/i;

/**
 * LevelDB's own reports of lost data, from the LOG file in its directory (rotated at each open,
 * so these are the reports of this open and what followed). Without paranoid checks (which
 * classic-level does not expose) LevelDB drops a damaged stretch of its write-ahead log and
 * says so only there.
 */
export async function readLevelDbReports(dir: string): Promise<string[]> {
  let text: string;
  try {
    const handle = await open(join(dir, 'LOG'), 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - LOG_TAIL_BYTES);
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      text = buf.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
  // "2026/12/06-01:30:32.489243 7fa3a13ff6c0 Compaction error: ..." → drop the thread id, keep time and text.
  return text.split('\n').filter((line) => REPORT.test(line)).map((line) => line.replace(/^(\S+) \S+ /, '$1 ').trim());
}
