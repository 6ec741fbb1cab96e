import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { boxKeyFile, fingerprint, newBoxKeyPair, openBoxKeyFile, readBoxKeyFile, writeBoxKeyFile } from '../../../src/vault/boxKeys.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MeshError ? e.code : 'not a MeshError';
  }
  return undefined;
}

describe('box key file', () => {
  it('is written 0600 and reads back to the same key pair', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-box-'));
    dirs.push(dir);
    const pair = newBoxKeyPair();
    const path = join(dir, 'box-key.json');
    await writeBoxKeyFile(path, boxKeyFile(pair));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const back = openBoxKeyFile((await readBoxKeyFile(path))!);
    expect(Buffer.from(back.secretKey).equals(Buffer.from(pair.secretKey))).toBe(true);
  });

  it('sealed by a passphrase: the secret key is not in the file, opens only with the passphrase', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-box-'));
    dirs.push(dir);
    const pair = newBoxKeyPair();
    const path = join(dir, 'box-key.json');
    await writeBoxKeyFile(path, boxKeyFile(pair, 'correct horse'));
    const text = await readFile(path, 'utf8');
    for (const enc of ['base64', 'hex'] as const) expect(text).not.toContain(Buffer.from(pair.secretKey).toString(enc));
    const file = (await readBoxKeyFile(path))!;
    expect(codeOf(() => openBoxKeyFile(file))).toBe('VAULT_LOCKED');
    expect(codeOf(() => openBoxKeyFile(file, 'wrong horse'))).toBe('VAULT_LOCKED');
    expect(Buffer.from(openBoxKeyFile(file, 'correct horse').secretKey).equals(Buffer.from(pair.secretKey))).toBe(true);
  });

  it('a file whose public key was swapped is refused (a swapped key would receive vault keys)', () => {
    const file = boxKeyFile(newBoxKeyPair());
    const swapped = { ...file, publicKey: Buffer.from(newBoxKeyPair().publicKey).toString('base64') };
    expect(codeOf(() => openBoxKeyFile(swapped))).toBe('HOME_INVALID');
  });

  it('fingerprints are stable and distinct', () => {
    const a = newBoxKeyPair();
    expect(fingerprint(a.publicKey)).toMatch(/^([0-9a-f]{4}:){7}[0-9a-f]{4}$/);
    expect(fingerprint(a.publicKey)).toBe(fingerprint(a.publicKey));
    expect(fingerprint(a.publicKey)).not.toBe(fingerprint(newBoxKeyPair().publicKey));
  });
});
