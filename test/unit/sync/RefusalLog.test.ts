import { describe, expect, it } from 'vitest';
import { RefusalLog } from '../../../src/sync/RefusalLog.js';

describe('RefusalLog', () => {
  it('logs a peer once per interval, then again with the attempts it kept quiet about', () => {
    let now = 1_000;
    const log = new RefusalLog(60_000, () => now);
    expect(log.shouldLog('p')).toEqual({ attemptsSinceLastLine: 0 });
    for (let i = 0; i < 5; i++) expect(log.shouldLog('p')).toBeUndefined();
    expect(log.shouldLog('q')).toEqual({ attemptsSinceLastLine: 0 });
    now += 60_000;
    expect(log.shouldLog('p')).toEqual({ attemptsSinceLastLine: 5 });
    expect(log.shouldLog('p')).toBeUndefined();
  });

  it('stays bounded under many made-up peer ids', () => {
    const log = new RefusalLog(60_000, () => 0);
    for (let i = 0; i < 5_000; i++) log.shouldLog(`peer-${i}`);
    // The map was cleared on the way: a peer seen long ago is logged again rather than remembered for ever.
    expect(log.shouldLog('peer-0')).toEqual({ attemptsSinceLastLine: 0 });
  });
});
