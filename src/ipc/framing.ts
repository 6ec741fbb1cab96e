import { MAX_IPC_FRAME_BYTES } from '../constants.js';
import { MeshError } from '../errors.js';

/** Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. */
export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  if (body.length > MAX_IPC_FRAME_BYTES) throw new MeshError('PROTOCOL_ERROR', `frame of ${body.length} bytes exceeds the ${MAX_IPC_FRAME_BYTES}-byte limit`);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/**
 * Accumulates socket chunks and yields whole frames; an oversized or non-JSON frame is a protocol
 * error. Chunks are kept in a list and joined once per frame, so a large frame costs one copy, not
 * one per chunk.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Body length of the frame being read, once its header is in. */
  private expected: number | undefined;

  /** Bytes held for a frame not yet complete. */
  get buffered(): number {
    return this.length;
  }

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const frames: unknown[] = [];
    while (this.length >= 4) {
      if (this.expected === undefined) {
        const length = this.joined().readUInt32BE(0);
        if (length > MAX_IPC_FRAME_BYTES) throw new MeshError('PROTOCOL_ERROR', `incoming frame of ${length} bytes exceeds the ${MAX_IPC_FRAME_BYTES}-byte limit`);
        this.expected = length;
      }
      if (this.length < 4 + this.expected) break;
      const all = this.joined();
      const body = all.subarray(4, 4 + this.expected);
      const rest = all.subarray(4 + this.expected);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
      this.expected = undefined;
      try {
        frames.push(JSON.parse(body.toString('utf8')));
      } catch {
        throw new MeshError('PROTOCOL_ERROR', 'incoming frame is not valid JSON');
      }
    }
    return frames;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0]!;
  }
}
