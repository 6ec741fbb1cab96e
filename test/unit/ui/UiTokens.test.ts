import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UiTokens } from '../../../src/ui/UiTokens.js';

describe('UiTokens', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync('/tmp/mh-uitok-');
    dirs.push(d);
    return join(d, 'ui-tokens.json');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('makes a read and a write token once, owner-only, and keeps them across loads', async () => {
    const path = tmp();
    const first = await UiTokens.load(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.token('read')).not.toBe(first.token('write'));
    expect(first.token('read')).toMatch(/^[\w-]{43}$/);
    const again = await UiTokens.load(path);
    expect(again.token('read')).toBe(first.token('read'));
    expect(again.token('write')).toBe(first.token('write'));
  });

  it('grants read or write for the matching token and nothing for anything else', async () => {
    const t = await UiTokens.load(tmp());
    expect(t.accessOf(t.token('read'))).toBe('read');
    expect(t.accessOf(t.token('write'))).toBe('write');
    for (const wrong of [undefined, '', 'x', t.token('read').slice(0, -1), `${t.token('write')}x`, t.token('read').toUpperCase(), 'a'.repeat(10_000)]) {
      expect(t.accessOf(wrong), String(wrong).slice(0, 20)).toBeUndefined();
    }
  });

  it('derives a per-session anti-CSRF value that only matches its own session', async () => {
    const t = await UiTokens.load(tmp());
    const read = t.token('read');
    const write = t.token('write');
    expect(t.csrfMatches(write, t.csrfFor(write))).toBe(true);
    expect(t.csrfMatches(write, t.csrfFor(read))).toBe(false);
    expect(t.csrfMatches(write, undefined)).toBe(false);
    expect(t.csrfMatches(write, '')).toBe(false);
    // Another home's tokens give other values.
    const other = await UiTokens.load(tmp());
    expect(other.csrfFor(write)).not.toBe(t.csrfFor(write));
  });

  it('refuses a malformed token file with HOME_INVALID rather than serving without tokens', async () => {
    const path = tmp();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, '{"read":"short"}');
    await expect(UiTokens.load(path)).rejects.toMatchObject({ code: 'HOME_INVALID' });
  });
});
