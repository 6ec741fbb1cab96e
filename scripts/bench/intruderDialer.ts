/**
 * One intruder of the intruders bench (scripts/bench/intruders.ts), run in its own network
 * namespace: a real libp2p node (TCP + Noise + Yamux inside pnet, as a daemon) that keeps trying
 * every host for a window and reports, as one JSON line on stdout, what it got.
 * - `connect`: dial and ask for the sync feed: a feed served is an admission (a violation);
 * - `join`: dial, then present the invite's secret on the join protocol: `joined` is an admission.
 * Per host it counts attempts closed without a word (refused in the handshake or by the gater),
 * answered with a refusal (past the gater: only the inviter with an open invite lets an unknown
 * peer in, and then only to the join protocol), and admitted.
 * Each attempt is a new connection (closed after it), a few seconds apart per host, under libp2p's
 * own limit of 5 inbound connections a second per address.
 *
 *   node --import tsx scripts/bench/intruderDialer.ts --mode connect|join --psk-file F [--key-file F]
 *     [--token-file F] --targets ADDR,ADDR... [--window-s 60] [--gap-ms 3000]
 */
import '../../src/polyfills.js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Connection } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { z } from 'zod';
import { decodeToken } from '../../src/mesh/invites.js';
import { applyPnetCipherFix } from '../../src/polyfills/pnetCipherFix.js';
import { FramedStream } from '../../src/sync/codec.js';
import { JOIN_PROTOCOL, SYNC_PROTOCOL } from '../../src/sync/constants.js';
import { JoinResponse } from '../../src/sync/messages.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'connect' },
    'psk-file': { type: 'string' },
    'key-file': { type: 'string' },
    'token-file': { type: 'string' },
    targets: { type: 'string', default: '' },
    'window-s': { type: 'string', default: '60' },
    'gap-ms': { type: 'string', default: '3000' },
  },
});
/** A dial or an exchange not done after this is given up (a wrong key can leave the far end waiting for bytes). */
const ATTEMPT_TIMEOUT_MS = 8_000;

/** What one intruder got from one host. */
export interface TargetOutcome {
  attempts: number;
  /** The host closed the connection or stream without a word: refused in the handshake or by the gater. */
  closed: number;
  /** A refusal answered on the protocol (NOT_MEMBER on sync, INVITE_REFUSED on join): the connection got past the gater. */
  answered: number;
  /** A sync feed served or a join accepted: an admission. Must stay 0. */
  admitted: number;
  /** Closed attempts by the error the dialer saw (its first line, numbers stripped). */
  failures?: Record<string, number>;
  /**
   * Attempts whose connection got as far as libp2p's upgrade (TCP connected, pnet nonces exchanged):
   * a host can only log an intruder whose packets reached it.
   */
  reached?: number;
}

export interface IntruderReport {
  peerId: string;
  byTarget: Record<string, TargetOutcome>;
}

const AnyReply = z.object({ t: z.string() }).passthrough();

async function main(): Promise<void> {
  if (!values['psk-file']) throw new Error('--psk-file is required');
  applyPnetCipherFix();
  const psk = readFileSync(values['psk-file']);
  const key = values['key-file'] ? privateKeyFromProtobuf(Buffer.from(readFileSync(values['key-file'], 'utf8').trim(), 'base64')) : undefined;
  const token = values['token-file'] ? decodeToken(readFileSync(values['token-file'], 'utf8').trim()) : undefined;
  if (values.mode === 'join' && !token) throw new Error('--mode join needs --token-file');
  const targets = values.targets.split(',').filter(Boolean);
  const node = await createLibp2p({
    ...(key ? { privateKey: key } : {}),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk }),
  });
  const report: IntruderReport = { peerId: node.peerId.toString(), byTarget: {} };

  const attempt = async (target: string): Promise<void> => {
    const outcome = (report.byTarget[target] ??= { attempts: 0, closed: 0, answered: 0, admitted: 0, failures: {}, reached: 0 });
    let upgraded = false;
    const onProgress = (evt: { type: string }) => {
      if (!upgraded && evt.type.startsWith('upgrader:')) {
        upgraded = true;
        outcome.reached!++;
      }
    };
    const started = Date.now();
    const failed = (err: unknown, stage: string) => {
      outcome.closed++;
      // The cause chain and how long the attempt ran: an abort at once is libp2p's, one at the timeout is ours.
      const chain: string[] = [];
      for (let e: unknown = err; e instanceof Error && chain.length < 3; e = e.cause) chain.push(`${e.name} ${e.message}`);
      const errors = err instanceof AggregateError ? ` [${err.errors.map((e: unknown) => (e instanceof Error ? `${e.name} ${e.message}` : String(e))).slice(0, 2).join(' | ')}]` : '';
      const secs = Math.round((Date.now() - started) / 1000);
      const why = `${stage} after ~${secs} s: ${chain.join(' <- ') || String(err)}${errors}`.split('\n')[0]!.replace(/\d+(?! s:)/g, 'N').slice(0, 200);
      outcome.failures![why] = (outcome.failures![why] ?? 0) + 1;
    };
    outcome.attempts++;
    let conn: Connection;
    try {
      conn = await node.dial(multiaddr(target), { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS), onProgress });
    } catch (err) {
      failed(err, 'dial');
      return;
    }
    try {
      // The dialer may hold a connection the far end already refused (its side of the upgrade
      // finished first): only a reply on a stream shows the connection got past the gater.
      const signal = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
      const io = new FramedStream(await conn.newStream(values.mode === 'join' ? JOIN_PROTOCOL : SYNC_PROTOCOL, { signal }));
      if (values.mode === 'join') {
        await io.send({ t: 'join', secret: token!.secret, name: 'intruder', addrs: [], teams: [] }, signal);
        const res = await io.receive(JoinResponse, signal);
        if (res.t === 'joined') outcome.admitted++;
        else outcome.answered++;
      } else {
        await io.send({ t: 'feed', since: 0, epoch: null, limit: 10 }, signal);
        const res = await io.receive(AnyReply, signal);
        if (res.t === 'error') outcome.answered++;
        else outcome.admitted++;
      }
    } catch (err) {
      failed(err, 'stream');
    } finally {
      await conn.close().catch(() => undefined);
    }
  };

  const end = Date.now() + Number(values['window-s']) * 1000;
  const gap = Number(values['gap-ms']);
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  while (!stopping && Date.now() < end) {
    const next = Date.now() + gap;
    await Promise.all(targets.map(attempt));
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(next, end) - Date.now())));
  }
  await node.stop();
  process.stdout.write(JSON.stringify(report) + '\n');
}

await main();
