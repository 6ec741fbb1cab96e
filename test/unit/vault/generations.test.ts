import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { newBoxKeyPair } from '../../../src/vault/boxKeys.js';
import { newGeneration, openGeneration, openValue, rotate, sealValue, type SealedValue } from '../../../src/vault/generations.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MeshError ? e.code : 'not a MeshError';
  }
  return undefined;
}

describe('vault generations (real tweetnacl)', () => {
  const alice = newBoxKeyPair();
  const bob = newBoxKeyPair();
  const carol = newBoxKeyPair();

  it('a member opens the generation and its values; a non-member cannot', () => {
    const { generation, key } = newGeneration(1, new Map([['alice', alice.publicKey], ['bob', bob.publicKey]]));
    const sealed = sealValue(1, key, enc('db-password-123'));
    expect(dec(openValue(sealed, openGeneration(generation, 'bob', bob.secretKey)))).toBe('db-password-123');
    expect(code(() => openGeneration(generation, 'carol', carol.secretKey))).toBe('VAULT_LOCKED');
    // Carol presenting Bob's wrap with her own secret key gets nothing either.
    expect(code(() => openGeneration(generation, 'bob', carol.secretKey))).toBe('VAULT_LOCKED');
  });

  it('revoke-and-rotate: the revoked member reads what it could before, nothing written after', () => {
    const g1 = newGeneration(1, new Map([['alice', alice.publicKey], ['bob', bob.publicKey]]));
    const old = new Map<string, SealedValue>([['api', sealValue(1, g1.key, enc('old-secret'))]]);
    const bobOldKey = openGeneration(g1.generation, 'bob', bob.secretKey);
    const g2 = rotate(g1.key, g1.generation, old, new Map([['alice', alice.publicKey]]));
    expect(g2.generation.gen).toBe(2);
    expect(Object.keys(g2.generation.wraps)).toEqual(['alice']);
    const after = sealValue(2, g2.key, enc('new-secret'));
    // Bob still opens the old ciphertext he may have kept…
    expect(dec(openValue(old.get('api')!, bobOldKey))).toBe('old-secret');
    // …but neither the re-sealed value, nor the new one, nor the new generation.
    expect(code(() => openValue(g2.values.get('api')!, bobOldKey))).toBe('VAULT_LOCKED');
    expect(code(() => openValue(after, bobOldKey))).toBe('VAULT_LOCKED');
    expect(code(() => openGeneration(g2.generation, 'bob', bob.secretKey))).toBe('VAULT_LOCKED');
    const aliceKey = openGeneration(g2.generation, 'alice', alice.secretKey);
    expect(dec(openValue(g2.values.get('api')!, aliceKey))).toBe('old-secret');
  });

  it('a tampered ciphertext or wrap does not open, and the error does not carry the value', () => {
    const { generation, key } = newGeneration(1, new Map([['alice', alice.publicKey]]));
    const sealed = sealValue(1, key, enc('s3cr3t-value'));
    const bytes = Buffer.from(sealed.box, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    try {
      openValue({ ...sealed, box: bytes.toString('base64') }, key);
      expect.fail('opened a tampered value');
    } catch (e) {
      expect((e as MeshError).code).toBe('VAULT_LOCKED');
      expect(JSON.stringify({ m: (e as Error).message, d: (e as MeshError).details })).not.toContain('s3cr3t');
    }
    const wrap = generation.wraps['alice']!;
    const wb = Buffer.from(wrap.box, 'base64');
    wb[5] = wb[5]! ^ 1;
    expect(code(() => openGeneration({ gen: 1, wraps: { alice: { ...wrap, box: wb.toString('base64') } } }, 'alice', alice.secretKey))).toBe('VAULT_LOCKED');
  });

  it('a value over the size limit is refused', () => {
    expect(code(() => sealValue(1, nacl.randomBytes(32), new Uint8Array(64 * 1024 + 1)))).toBe('CONTENT_TOO_LARGE');
  });
});
