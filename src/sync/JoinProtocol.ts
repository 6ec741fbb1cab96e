import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { MeshError, toMeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Invites } from '../mesh/invites.js';
import type { Membership } from '../mesh/Membership.js';
import type { Actor } from '../types.js';
import { FramedStream } from './codec.js';
import { JOIN_PROTOCOL } from './constants.js';
import { JoinRequest, JoinResponse } from './messages.js';
import type { RefusalCounts } from './RefusalCounts.js';
import { RefusalLog } from './RefusalLog.js';

/**
 * `/hivemesh/join/1`: a newcomer that holds an invite proves it with the one-time secret; the
 * inviter (an admin) checks the invite (expiry, and that the peer was never removed), consumes it
 * and signs the newcomer's admission: the peer id is taken from the authenticated connection,
 * never from the message.
 */
export class JoinProtocol {
  /** A peer retrying a refused or garbled join in a loop gets one log line per interval. */
  private readonly refusals: RefusalLog;

  constructor(
    private readonly deps: { node: Libp2p; invites: Invites; membership: Membership; meshId: string; actor: Actor; logger: Logger; onJoined: (peer: string) => void; refusals?: RefusalLog; counts?: RefusalCounts },
  ) {
    this.refusals = deps.refusals ?? new RefusalLog();
  }

  async start(): Promise<void> {
    await this.deps.node.handle(JOIN_PROTOCOL, (stream, connection) => void this.serve(stream, connection));
  }

  async stop(): Promise<void> {
    await this.deps.node.unhandle(JOIN_PROTOCOL).catch(() => undefined);
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const io = new FramedStream(stream);
    try {
      const req = await io.receive(JoinRequest);
      try {
        // The admission is signed by this host: refuse before using up the invite if it cannot sign it.
        if (!this.deps.membership.isAdmin(this.deps.node.peerId.toString())) throw new MeshError('NOT_AUTHORISED', 'the inviter is not an admin of the mesh');
        await this.deps.invites.consume(req.secret, peer, (p) => this.deps.membership.get(p)?.removed === true);
      } catch (err) {
        this.deps.counts?.record('join_refused', peer);
        const line = this.refusals.shouldLog(peer);
        if (line) this.deps.logger.warn({ peer, reason: toMeshError(err).message, ...line }, 'refused a join (logged once per 10 min per peer)');
        await io.send({ t: 'error', code: 'INVITE_REFUSED', message: toMeshError(err).message });
        await io.close();
        return;
      }
      // Teams the joiner asks for are not granted: a team admin grants them (signed), never the joiner.
      // A retry after a lost reply finds it admitted already.
      if (!this.deps.membership.isMember(peer)) await this.deps.membership.add(peer, { name: req.name, addrs: req.addrs });
      await io.send({ t: 'joined', mesh: this.deps.meshId });
      await io.close();
      this.deps.onJoined(peer);
    } catch (err) {
      this.deps.counts?.record('join_refused', peer);
      const line = this.refusals.shouldLog(peer);
      if (line) this.deps.logger.warn({ peer, err: (err as Error).message, ...line }, 'bad join exchange; stream closed (logged once per 10 min per peer)');
      io.abort('protocol error');
    }
  }

  /** Joiner side: presents the secret to the inviter. Resolves with the mesh id, or throws the refusal. */
  async join(inviter: string, secret: string, self: { name: string; addrs: string[]; teams: string[] }): Promise<string> {
    const signal = AbortSignal.timeout(15_000);
    const stream = await this.deps.node.dialProtocol(peerIdFromString(inviter), JOIN_PROTOCOL, { signal });
    const io = new FramedStream(stream);
    try {
      await io.send({ t: 'join', secret, ...self }, signal);
      const res = await io.receive(JoinResponse, signal);
      if (res.t === 'error') throw toMeshError({ code: 'INVITE_REFUSED', message: res.message });
      return res.mesh;
    } finally {
      await io.close();
    }
  }
}
