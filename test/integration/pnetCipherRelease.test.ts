import { createRequire } from 'node:module';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p } from '@libp2p/interface';
import { generateKey, preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPnetCipherFix, withCipherRelease } from '../../src/polyfills/pnetCipherFix.js';
import { eventually } from '../helpers/meshHosts.js';

interface XSalsa20 {
  _xor: { _pointer: number } | null;
  finalize(): void;
}
const xsalsa20 = createRequire(import.meta.resolve('@libp2p/pnet'))('xsalsa20') as (nonce: Uint8Array, key: Uint8Array) => XSalsa20;

/** Where xsalsa20 would put a new cipher's slot: past every slot still held when none was given back. */
function nextSlot(): number {
  const probe = xsalsa20(new Uint8Array(24), new Uint8Array(32));
  const at = probe._xor!._pointer;
  probe.finalize();
  return at;
}

/**
 * pnet made two ciphers per connection and never finalized them, so each connection ever made kept
 * 128 bytes of the ciphers' shared WebAssembly memory: a non-member dialling 5 times a second
 * (no key needed to get past the nonce exchange) filled its maximum in about a day, and the next
 * chunk crashed the daemon.
 */
describe('private-network ciphers of closed connections', () => {
  const nodes: Libp2p[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.stop();
  });

  it('are given back, so connections made one after another reuse the same slots', { timeout: 60_000 }, async () => {
    applyPnetCipherFix();
    const psk = new Uint8Array(95);
    generateKey(psk);
    const make = (listen: string[]) =>
      // libp2p refuses more than 5 inbound connections a second from one address: this test makes 30 in a row.
      createLibp2p({ addresses: { listen }, connectionManager: { inboundConnectionThreshold: 1_000 }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionProtector: withCipherRelease(preSharedKey({ psk })) });
    const [listener, dialer] = [await make(['/ip4/127.0.0.1/tcp/0']), await make([])];
    nodes.push(listener, dialer);
    const before = nextSlot();
    const connections = 30;
    for (let i = 0; i < connections; i++) {
      const conn = await dialer.dial(listener.getMultiaddrs()[0]!);
      await conn.close();
      await eventually(() => Promise.resolve(listener.getConnections().length === 0 ? true : undefined), `the listener to see connection ${i} closed`);
    }
    const grownBy = nextSlot() - before;
    // Four ciphers live per connection here (two per side): without the release the next slot moves 30 × 4 × 64 bytes.
    expect(grownBy, `the next cipher slot moved ${grownBy} bytes over ${connections} connections`).toBeLessThanOrEqual(8 * 64);
  });
});
