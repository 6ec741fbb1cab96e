import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../src/logPretty.js';

describe('prettyLine', () => {
  it('reads a pino JSON line as time, level, module, message and fields', () => {
    const line = JSON.stringify({ level: 30, time: Date.parse('2026-12-06T12:04:31Z'), pid: 1, mod: 'sync', msg: 'pulled', peer: 'b', fetched: 3, addrs: ['/ip4/1'] });
    expect(prettyLine(line)).toBe('12:04:31 INFO  [sync] pulled  peer=b fetched=3 addrs=["/ip4/1"]');
  });

  it('keeps an error stack under its line, and passes anything else through', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at f (x.js:1)' } });
    expect(prettyLine(line)).toBe('00:00:00 ERROR failed  err="boom"\n    at f (x.js:1)');
    expect(prettyLine('not json')).toBe('not json');
  });
});
