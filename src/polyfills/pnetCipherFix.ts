import { createRequire } from 'node:module';
import type { ConnectionProtector } from '@libp2p/interface';
import { PNET_CIPHER_MEMORY_BYTES } from '../sync/constants.js';

/**
 * Works around a bug in `xsalsa20` 1.2 (the cipher under `@libp2p/pnet`) that crashed a daemon
 * serving an initial sync of 100k memories with `RangeError: WebAssembly.Memory.grow(): Maximum
 * memory size exceeded` (an uncaught exception in a socket callback).
 *
 * All cipher instances share one WebAssembly memory (10 pages at first, 1,000 at most) and each
 * keeps its own view of it. The first chunk larger than the memory grows it, which detaches every
 * other instance's view (length 0); each of those then "grows" the memory by the size of its next
 * chunk merely to get a fresh view, which detaches the others again. Sending and receiving on a
 * connection alternate between two instances, so after one large chunk the memory grows a little
 * on every chunk until it hits its maximum — a few hundred chunks later.
 *
 * The fix: an instance whose view was detached refreshes it by growing the memory by zero pages
 * (which hands out a new buffer and grows nothing), and the memory is grown once at start to
 * PNET_CIPHER_MEMORY_BYTES, so chunks (at most a sync frame) never make it grow again.
 */
interface CipherImpl {
  _memory: Uint8Array;
  realloc(this: CipherImpl, size: number): void;
  update: (this: CipherImpl, input: Uint8Array, output: Uint8Array) => void;
}

interface XSalsa20 {
  _xor: CipherImpl | null;
  update(input: Uint8Array, output?: Uint8Array): Uint8Array;
  finalize(): void;
}

/** The xsalsa20 release whose internals this patch was written against and tested with. */
const PATCHED_XSALSA20_VERSION = '1.2.0';

let applied = false;

export function applyPnetCipherFix(): void {
  if (applied) return;
  applied = true;
  // Resolved from @libp2p/pnet's own location, so this patches the very module it uses.
  const requireFromPnet = createRequire(import.meta.resolve('@libp2p/pnet'));
  // A changed internal would make this patch a silent no-op (and a large sync would crash the
  // daemon again), so any other release stops start-up with a pointer to this file.
  const { version } = requireFromPnet('xsalsa20/package.json') as { version: string };
  if (version !== PATCHED_XSALSA20_VERSION) {
    throw new Error(`xsalsa20 ${version} is installed, but src/polyfills/pnetCipherFix.ts patches ${PATCHED_XSALSA20_VERSION}: check whether the WebAssembly memory bug is fixed there and update or drop the patch`);
  }
  const xsalsa20 = requireFromPnet('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => XSalsa20;
  const probe = xsalsa20(new Uint8Array(24), new Uint8Array(32));
  const impl = Object.getPrototypeOf(probe._xor) as Partial<CipherImpl>;
  const probeImpl = probe._xor!;
  // Only the WebAssembly implementation has the shared memory (the JS fallback has no realloc).
  if (typeof impl.realloc !== 'function') return;
  if (typeof impl.update !== 'function' || !(probeImpl._memory instanceof Uint8Array)) {
    throw new Error('xsalsa20 internals are not the ones src/polyfills/pnetCipherFix.ts patches (update/_memory missing)');
  }
  const update = impl.update;
  (impl as CipherImpl).update = function (this: CipherImpl, input: Uint8Array, output: Uint8Array): void {
    if (this._memory.byteLength === 0) this.realloc(0);
    update.call(this, input, output);
  };
  // Grown by the library's own realloc rather than by encrypting that many bytes: the same pages,
  // without 12 MiB of cipher work and 12 MiB written at every daemon start (untouched pages stay out of RSS).
  probeImpl.realloc(PNET_CIPHER_MEMORY_BYTES);
  probe.finalize();
}

/**
 * Gives a closed connection's ciphers back to xsalsa20. `@libp2p/pnet` never finalizes the two it
 * makes per connection, so each connection ever made kept two 64-byte slots of the shared memory
 * (nonce and key included) and pushed the data area behind them up for good: about 450,000
 * connections fill the memory's 62.5 MiB maximum, and the next chunk crashed the daemon. Anyone who
 * can reach the port can open 5 connections a second per address without knowing the mesh key
 * (the nonce exchange comes first), so that was about a day from one address.
 */
export function withCipherRelease<C>(inner: (components: C) => ConnectionProtector): (components: C) => ConnectionProtector {
  return (components) => {
    const protector = inner(components);
    return {
      protect: async (connection, options) => {
        const boxed = await protector.protect(connection, options);
        connection.addEventListener('close', () => releaseCiphers(boxed), { once: true });
        return boxed;
      },
    };
  };
}

function releaseCiphers(stream: object): void {
  const box = stream as { inboundXor?: XSalsa20; outboundXor?: XSalsa20 };
  for (const cipher of [box.inboundXor, box.outboundXor]) {
    // Finalized once only: a slot given back twice would be handed to two live connections.
    if (!cipher?._xor) continue;
    // A view detached by a grow of the shared memory is refreshed first (finalize writes through it);
    // the JavaScript fallback has no shared memory at all.
    const memory = (cipher._xor as Partial<CipherImpl>)._memory;
    if (memory && memory.byteLength === 0) cipher._xor.realloc(0);
    cipher.finalize();
    // A chunk arriving or written after the close is dropped, never a throw in a socket callback.
    cipher.update = () => new Uint8Array(0);
  }
}
