import * as A from '@automerge/automerge';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { EmbeddingCache } from '../../../src/search/EmbeddingCache.js';
import { moveAside, removeAsides } from '../../../src/search/moveAside.js';
import { automergeChunksValid } from '../../../src/store/automergeChunks.js';
import { readLevelDbReports } from '../../../src/store/levelDbLog.js';

describe('damage checks', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mh-damage-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts saved documents and appended change chunks, refuses a flipped byte or a torn tail', () => {
    const doc = A.from({ content: 'kafka broker restarted', tags: ['a'] });
    const saved = A.save(doc);
    const next = A.change(doc, (d) => (d.content = 'kafka broker restarted twice'));
    const appended = new Uint8Array([...saved, ...A.getChanges(doc, next).flatMap((c) => [...c])]);
    expect(automergeChunksValid(saved)).toBe(true);
    expect(automergeChunksValid(appended)).toBe(true);
    for (let at = 9; at < saved.length; at += 7) {
      const flipped = saved.slice();
      flipped[at] = flipped[at]! ^ 0x5a;
      expect(automergeChunksValid(flipped), `flip at ${at}`).toBe(false);
    }
    expect(automergeChunksValid(appended.subarray(0, appended.length - 3))).toBe(false);
    expect(automergeChunksValid(new Uint8Array())).toBe(false);
  });

  it("reads LevelDB's reports of dropped data from its LOG, and nothing else", async () => {
    writeFileSync(
      join(dir, 'LOG'),
      [
        '2026/12/06-01:30:18.201744 7f93937fe6c0 Recovering log #6',
        '2026/12/06-01:30:18.201800 7f93937fe6c0 Log #6: dropping 1366 bytes; Corruption: checksum mismatch',
        '2026/12/06-01:30:32.489243 7fa3a13ff6c0 Compaction error: Corruption: corrupted compressed block contents',
        '2026/12/06-01:30:33.000000 7fa3a13ff6c0 Delete type=0 #6',
      ].join('\n'),
    );
    expect(await readLevelDbReports(dir)).toEqual([
      '2026/12/06-01:30:18.201800 Log #6: dropping 1366 bytes; Corruption: checksum mismatch',
      '2026/12/06-01:30:32.489243 Compaction error: Corruption: corrupted compressed block contents',
    ]);
    expect(await readLevelDbReports(join(dir, 'none'))).toEqual([]);
  });

  it('moves a damaged file aside keeping one copy per file, and erasure removes every copy', async () => {
    const file = join(dir, 'memories.sqlite');
    writeFileSync(file, 'one');
    await moveAside(file, 1);
    writeFileSync(file, 'two');
    await moveAside(file, 2);
    expect(readdirSync(dir)).toEqual(['memories.sqlite.corrupt-2']);
    expect(await moveAside(file, 3)).toBeUndefined();
    expect(await removeAsides(dir)).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the embedding cache starts afresh from a damaged file and never returns a vector of the wrong size', () => {
    const path = join(dir, 'embeddings.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const cache = EmbeddingCache.open(path, 4, silentLogger());
    expect(cache.get('k')).toBeUndefined();
    cache.putMany([['k', new Float32Array([1, 2, 3, 4])], ['short', new Float32Array([1, 2])], ['nan', new Float32Array([1, Number.NaN, 0, 0])]]);
    expect([...cache.get('k')!]).toEqual([1, 2, 3, 4]);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('nan')).toBeUndefined();
    cache.close();
  });
});
