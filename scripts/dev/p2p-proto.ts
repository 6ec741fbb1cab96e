import '../../src/polyfills.js';
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { preSharedKey, generateKey } from '@libp2p/pnet';
import { generateKeyPair, privateKeyToProtobuf, privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';

const psk = new Uint8Array(95);
generateKey(psk);
console.log(new TextDecoder().decode(psk).slice(0, 40));
async function node(allow: () => Set<string>) {
  const privateKey = privateKeyFromProtobuf(privateKeyToProtobuf(await generateKeyPair('Ed25519')));
  return createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk }),
    connectionGater: {
      denyInboundEncryptedConnection: (peer) => !allow().has(peer.toString()),
      denyOutboundEncryptedConnection: (peer) => !allow().has(peer.toString()),
    },
  });
}
const allowed = new Set<string>();
const a = await node(() => allowed);
const b = await node(() => allowed);
allowed.add(a.peerId.toString()); allowed.add(b.peerId.toString());
await b.handle('/t/1', async (stream, conn) => {
  const lp = lpStream(stream);
  const msg = await lp.read();
  await lp.write(new TextEncoder().encode('pong:' + new TextDecoder().decode(msg.subarray()) + ' from ' + conn.remotePeer.toString().slice(-6)));
  await stream.close();
});
const t0 = performance.now();
const s = await a.dialProtocol(b.getMultiaddrs()[0]!, '/t/1');
const lp = lpStream(s);
await lp.write(new TextEncoder().encode('ping'));
console.log(new TextDecoder().decode((await lp.read()).subarray()), (performance.now() - t0).toFixed(1), 'ms');
await s.close();
console.log('conns', a.getConnections().length, b.getMultiaddrs().map(String));
await a.stop(); await b.stop();
