import type { z } from 'zod';
import { MeshError } from '../errors.js';
import { FramedStream } from './codec.js';
import { SYNC_PROTOCOL, SYNC_REQUEST_TIMEOUT_MS } from './constants.js';
import { ErrorResponse } from './messages.js';
import { requestSignal } from './requestSignal.js';
import type { SyncTransport } from './SyncTransport.js';

/** One request and its validated response per stream; cancelled by `signal` (the engine's stop) or the request timeout. */
export async function request<S extends z.ZodType>(transport: SyncTransport, peer: string, message: unknown, schema: S, signal: AbortSignal, protocol = SYNC_PROTOCOL): Promise<z.infer<S>> {
  const { signal: bounded, done } = requestSignal(signal, SYNC_REQUEST_TIMEOUT_MS);
  let io: FramedStream | undefined;
  try {
    io = new FramedStream(await transport.dial(peer, protocol, bounded));
    await io.send(message, bounded);
    const res = await io.receive(schema.or(ErrorResponse), bounded);
    if ((res as { t: string }).t === 'error' && (schema as z.ZodType) !== ErrorResponse) {
      const e = res as z.infer<typeof ErrorResponse>;
      throw new MeshError('PROTOCOL_ERROR', `${peer} refused: ${e.code} ${e.message}`);
    }
    return res as z.infer<S>;
  } catch (err) {
    if (signal.aborted) io?.abort('sync stopped');
    throw err;
  } finally {
    done();
    await io?.close();
  }
}
