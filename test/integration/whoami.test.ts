import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whoami-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mesh whoami (built CLI, real home)', () => {
  it('shows the peer id and fingerprints; the box key is created 0600 and stays the same', async () => {
    const home = join(dir, 'a');
    expect((await mesh(['init', '--home', home])).code).toBe(0);
    const first = await mesh(['whoami', '--home', home, '--json']);
    expect(first.code).toBe(0);
    const me = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(me['peer_id']).toMatch(/^12D3Koo/);
    expect(me['box_fingerprint']).toMatch(/^([0-9a-f]{4}:){7}[0-9a-f]{4}$/);
    expect(me['box_key_sealed']).toBe(false);
    expect((await stat(join(home, 'box-key.json'))).mode & 0o777).toBe(0o600);
    const again = JSON.parse((await mesh(['whoami', '--home', home, '--json'])).stdout) as Record<string, unknown>;
    expect(again).toEqual(me);
  });

  it('with MESH_PASSPHRASE at creation the box key is sealed, and a later whoami without it still shows the public fingerprint', async () => {
    const home = join(dir, 'b');
    expect((await mesh(['init', '--home', home])).code).toBe(0);
    const sealed = JSON.parse((await mesh(['whoami', '--home', home, '--json'], { MESH_PASSPHRASE: 'pass phrase' })).stdout) as Record<string, unknown>;
    expect(sealed['box_key_sealed']).toBe(true);
    expect(await readFile(join(home, 'box-key.json'), 'utf8')).not.toContain('secretKey');
    const later = await mesh(['whoami', '--home', home, '--json'], { MESH_PASSPHRASE: '' });
    expect(JSON.parse(later.stdout)).toEqual(sealed);
  });

  it('a home without an identity is a HOME_INVALID error with exit 5', async () => {
    const r = await mesh(['whoami', '--home', join(dir, 'empty')]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/mesh init/);
  });
});
