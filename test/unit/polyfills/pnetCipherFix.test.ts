import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { applyPnetCipherFix } from '../../../src/polyfills/pnetCipherFix.js';
import { PNET_CIPHER_MEMORY_BYTES } from '../../../src/sync/constants.js';

interface XSalsa20 {
  update(input: Uint8Array, output?: Uint8Array): Uint8Array;
  _xor: { _memory?: Uint8Array };
}

const xsalsa20 = createRequire(import.meta.resolve('@libp2p/pnet'))('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => XSalsa20;

describe('private-network cipher (xsalsa20 under @libp2p/pnet)', () => {
  it('grows the shared cipher memory once, at start, past any chunk a sync frame can hand it', () => {
    // First in this file: nothing has grown the memory yet but the fix itself.
    applyPnetCipherFix();
    const view = xsalsa20(new Uint8Array(24), new Uint8Array(32))._xor._memory;
    // The WebAssembly build (the one with the shared memory) is what runs on Node.
    expect(view?.byteLength ?? 0).toBeGreaterThanOrEqual(PNET_CIPHER_MEMORY_BYTES);
  });

  it('survives a chunk larger than its memory followed by many alternating chunks, and still encrypts correctly', () => {
    applyPnetCipherFix();
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(3);
    const [send, receive] = [xsalsa20(nonce, key), xsalsa20(nonce, key)];
    // Unpatched, this sequence exhausted the cipher's memory after ~500 alternations (seen as a daemon crash).
    const large = new Uint8Array(20 * 1024 * 1024).map((_, i) => i % 251);
    const small = new Uint8Array(1500).map((_, i) => i % 13);
    expect(() => {
      for (let i = 0; i < 5_000; i++) {
        const data = i === 0 ? large : small;
        const back = receive.update(send.update(data));
        if ((i === 0 || i === 4_999) && !Buffer.from(back).equals(Buffer.from(data))) throw new Error(`round trip ${i} differs`);
      }
    }).not.toThrow();
  });

});
