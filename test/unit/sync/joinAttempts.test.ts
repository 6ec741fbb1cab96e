import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { JOIN_BACKOFF_START_MS, JOIN_GIVE_UP_AFTER } from '../../../src/sync/constants.js';
import { JoinAttempts } from '../../../src/sync/joinAttempts.js';

describe('JoinAttempts', () => {
  const later = Date.now() + 3_600_000;

  it('stops at once when the inviter refuses, with one line that says what to do', () => {
    const a = new JoinAttempts();
    const r = a.failed(new MeshError('INVITE_REFUSED', 'invite already used'), later);
    expect(r.final).toBe(true);
    expect(r.error.code).toBe('INVITE_REFUSED');
    expect(r.error.message).toMatch(/already used.*ask a member for a new invite \(mesh invite\)/);
    expect(r.error.message).not.toMatch(/\n/);
    expect(a.wait()).toBe(Infinity);
    expect(a.gaveUp).toBe(r.error);
  });

  it('stops at once on an expired invite', () => {
    const r = new JoinAttempts().failed(new Error('whatever'), Date.now() - 1);
    expect(r).toMatchObject({ final: true, error: { code: 'INVITE_REFUSED' } });
    expect(r.error.message).toMatch(/expired/);
  });

  it('backs off on an unanswered join and gives up after a few, naming the likely cause', () => {
    let now = 1_000_000;
    const a = new JoinAttempts(() => now);
    for (let i = 1; i < JOIN_GIVE_UP_AFTER; i++) {
      const r = a.failed(new Error('Unexpected EOF - stream closed\n    at stack'), now + 3_600_000);
      expect(r.final).toBe(false);
      expect(r.error.message).not.toMatch(/\n/);
      expect(a.wait()).toBe(JOIN_BACKOFF_START_MS * 2 ** (i - 1));
      now += a.wait();
      expect(a.wait()).toBe(0);
    }
    const last = a.failed(new Event('close'), now + 3_600_000);
    expect(last.final).toBe(true);
    expect(last.error.message).toMatch(/already used or withdrawn/);
    expect(last.error.message).toMatch(/the stream was closed \(close\)/);
  });
});
