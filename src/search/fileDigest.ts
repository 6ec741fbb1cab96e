import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * SHA-256 of a file, streamed (an index file is ~100 MiB at 100k memories). Derived files are
 * checked against it before a native library parses them: hnswlib trusts its input, and a
 * flipped byte in a link list crashes the process (segfault) at the first search.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
