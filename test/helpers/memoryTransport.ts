import type { Stream } from '@libp2p/interface';
import { streamPair } from '@libp2p/utils';
import type { SyncTransport } from '../../src/sync/SyncTransport.js';

/**
 * Peers linked in memory: each dial is a fresh pair of connected streams from @libp2p/utils (the
 * library's own test streams), so the sync engine runs its real protocol code without sockets.
 * A stand-in for the network, which is outside this machine's control; links are cut and made
 * by the test, step by step.
 */
export class MemoryNetwork {
  private readonly handlers = new Map<string, Map<string, (stream: Stream, peer: string) => void>>();
  private readonly connectListeners = new Map<string, Set<(peer: string) => void>>();
  private readonly links = new Set<string>();

  transport(self: string): SyncTransport {
    const handlers = new Map<string, (stream: Stream, peer: string) => void>();
    this.handlers.set(self, handlers);
    const listeners = new Set<(peer: string) => void>();
    this.connectListeners.set(self, listeners);
    return {
      handle: (protocol, handler) => {
        handlers.set(protocol, handler);
        return Promise.resolve();
      },
      unhandle: (protocol) => {
        handlers.delete(protocol);
        return Promise.resolve();
      },
      dial: async (peer, protocol, signal) => {
        signal.throwIfAborted();
        if (!this.links.has(linkKey(self, peer))) throw new Error(`${self} is not connected to ${peer}`);
        const handler = this.handlers.get(peer)?.get(protocol);
        if (!handler) throw new Error(`${peer} does not support ${protocol}`);
        const [outbound, inbound] = await streamPair({ delay: 0 });
        handler(inbound, self);
        return outbound;
      },
      connectedPeers: () => [...this.links].flatMap((k) => {
        const [a, b] = k.split('|') as [string, string];
        return a === self ? [b] : b === self ? [a] : [];
      }),
      onConnect: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
  }

  /** Links two peers; each side's connect listeners hear of it, as libp2p's peer:connect. */
  connect(a: string, b: string): void {
    this.links.add(linkKey(a, b));
    for (const l of this.connectListeners.get(a) ?? []) l(b);
    for (const l of this.connectListeners.get(b) ?? []) l(a);
  }

  disconnect(a: string, b: string): void {
    this.links.delete(linkKey(a, b));
  }
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
