import { decode, encode } from '@msgpack/msgpack';
import type { Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import type { z } from 'zod';
import { MeshError } from '../errors.js';
import { FRAME_PREFIX_BYTES, MAX_SYNC_FRAME_BYTES, SYNC_REQUEST_TIMEOUT_MS } from './constants.js';

/** A framed, validated message channel over one libp2p stream. */
export class FramedStream {
  private readonly lp: LengthPrefixedStream<Stream>;

  constructor(readonly stream: Stream) {
    // The byte stream under lpStream buffers at most 4 MiB by default, which would make any frame
    // past that (a large `get` reply) abort the stream: let it hold one whole frame and its prefix.
    this.lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME_BYTES, maxBufferSize: MAX_SYNC_FRAME_BYTES + FRAME_PREFIX_BYTES });
  }

  async send(message: unknown, signal?: AbortSignal): Promise<void> {
    await this.sendEncoded(encode(message), signal);
  }

  /** Sends a message already encoded (a reply that had to be encoded document by document). */
  async sendEncoded(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.lp.write(bytes, { signal: signal ?? AbortSignal.timeout(SYNC_REQUEST_TIMEOUT_MS) });
  }

  /** Reads one frame and validates it; anything malformed is a PROTOCOL_ERROR. */
  async receive<S extends z.ZodType>(schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const frame = await this.lp.read({ signal: signal ?? AbortSignal.timeout(SYNC_REQUEST_TIMEOUT_MS) });
    let value: unknown;
    try {
      value = decode(frame.subarray());
    } catch {
      throw new MeshError('PROTOCOL_ERROR', 'frame is not valid msgpack');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new MeshError('PROTOCOL_ERROR', `invalid message: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
    return parsed.data;
  }

  async close(): Promise<void> {
    await this.stream.close().catch(() => this.stream.abort(new Error('close failed')));
  }

  abort(reason: string): void {
    this.stream.abort(new Error(reason));
  }
}
