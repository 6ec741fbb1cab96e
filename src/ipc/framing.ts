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

/** Accumulates socket chunks and yields whole frames; an oversized or non-JSON frame is a protocol error. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): unknown[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: unknown[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (length > MAX_IPC_FRAME_BYTES) throw new MeshError('PROTOCOL_ERROR', `incoming frame of ${length} bytes exceeds the ${MAX_IPC_FRAME_BYTES}-byte limit`);
      if (this.buffer.length < 4 + length) break;
      const body = this.buffer.subarray(4, 4 + length);
      this.buffer = this.buffer.subarray(4 + length);
      try {
        frames.push(JSON.parse(body.toString('utf8')));
      } catch {
        throw new MeshError('PROTOCOL_ERROR', 'incoming frame is not valid JSON');
      }
    }
    return frames;
  }
}
