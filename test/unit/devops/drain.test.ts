import { describe, expect, it } from 'vitest';
import { Drain, maskLine, WILDCARD } from '../../../src/devops/Drain.js';
import { analyzeLogLines, splitTimestamp } from '../../../src/devops/logPatterns.js';

describe('Drain', () => {
  it('groups lines that differ in variables into one template with wildcards', () => {
    const d = new Drain();
    d.add('Connection closed by user alice');
    d.add('Connection closed by user bob');
    d.add('Disk quota exceeded on volume data');
    expect(d.all().map((c) => [c.tokens.join(' '), c.count])).toEqual([
      [`Connection closed by user ${WILDCARD}`, 2],
      ['Disk quota exceeded on volume data', 1],
    ]);
  });

  it('keeps lines of different lengths or different leading words apart', () => {
    const d = new Drain();
    d.add('worker started');
    d.add('worker started again now');
    d.add('listener started');
    expect(d.all()).toHaveLength(3);
  });

  it('does not merge lines below the similarity threshold', () => {
    const d = new Drain(0.5);
    d.add('a b c d');
    d.add('a x y z');
    expect(d.all()).toHaveLength(2);
  });

  it('masks IPs, numbers, hex ids and UUIDs before mining', () => {
    expect(maskLine('from 10.0.0.12:5432 took 35ms id 0xdeadbeef req 7f3c2a1e-0b1c-4d2e-9f00-1234567890ab code ORA-00600')).toBe('from <IP> took <NUM> id <HEX> req <UUID> code ORA-<NUM>');
  });
});

describe('log patterns', () => {
  it('reads ISO, syslog and access-log timestamps', () => {
    expect(splitTimestamp('2026-12-06T03:14:07.123Z ERROR x')).toEqual({ at: Date.parse('2026-12-06T03:14:07.123Z'), rest: 'ERROR x' });
    expect(splitTimestamp('Dec  6 03:14:07 elastic3 kernel: oom', 2026)).toEqual({ at: Date.parse('2026-12-06T03:14:07Z'), rest: 'elastic3 kernel: oom' });
    expect(splitTimestamp('1.2.3.4 - - [06/Dec/2026:03:14:07 +0100] "GET / HTTP/1.1" 502').at).toBe(Date.parse('2026-12-06T02:14:07Z'));
  });

  it('counts templates with first and last seen, flags those new since a time, and redacts secrets in examples', async () => {
    const lines = [
      '2026-12-06T01:00:00Z INFO request served in 12ms for 10.0.0.1',
      '2026-12-06T01:00:05Z INFO request served in 15ms for 10.0.0.2',
      '2026-12-06T02:30:00Z ERROR upstream timed out after 30s token=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB',
      '2026-12-06T02:31:00Z INFO request served in 9ms for 10.0.0.3',
      '2026-12-06T02:32:00Z ERROR upstream timed out after 31s token=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB',
    ];
    const r = await analyzeLogLines(lines, { since: '2026-12-06T02:00:00Z' });
    expect(r.lines).toBe(5);
    expect(r.templates.map((t) => [t.template, t.count, t.first_seen, t.last_seen, t.new])).toEqual([
      ['INFO request served in <NUM> for <IP>', 3, '2026-12-06T01:00:00.000Z', '2026-12-06T02:31:00.000Z', false],
      [expect.stringMatching(/^ERROR upstream timed out after <NUM> token=\[redacted/), 2, '2026-12-06T02:30:00.000Z', '2026-12-06T02:32:00.000Z', true],
    ]);
    expect(r.templates[1]!.example).not.toContain('ghp_');
    expect(r.templates[1]!.first_line).toBe(3);
  });
});
