import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';

/**
 * What the sync engine needs of the network, and nothing more: serve a protocol, open a stream to
 * a peer, list and follow connections. libp2p in the daemon (libp2pTransport); in-memory stream
 * pairs in unit tests (test/helpers/memoryTransport.ts).
 */
export interface SyncTransport {
  handle(protocol: string, handler: (stream: Stream, peer: string) => void): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  dial(peer: string, protocol: string, signal: AbortSignal): Promise<Stream>;
  /** Peers with an open connection (members or not; the engine filters). */
  connectedPeers(): string[];
  /** Calls `listener` for every new connection; returns the unsubscribe function. */
  onConnect(listener: (peer: string) => void): () => void;
}

/** Streams per protocol and connection: a pull pipelines a few `get`s, a busy mesh pushes often. */
const MAX_STREAMS = 256;

export function libp2pTransport(node: Libp2p): SyncTransport {
  return {
    handle: (protocol, handler) => node.handle(protocol, (stream, connection) => handler(stream, connection.remotePeer.toString()), { maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS }),
    unhandle: (protocol) => node.unhandle(protocol),
    dial: (peer, protocol, signal) => node.dialProtocol(peerIdFromString(peer), protocol, { signal }),
    connectedPeers: () => [...new Set(node.getConnections().map((c) => c.remotePeer.toString()))],
    onConnect: (listener) => {
      const onEvent = (evt: CustomEvent<{ toString(): string }>) => listener(evt.detail.toString());
      node.addEventListener('peer:connect', onEvent);
      return () => node.removeEventListener('peer:connect', onEvent);
    },
  };
}
