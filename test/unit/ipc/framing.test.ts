import { describe, expect, it } from 'vitest';
import { MAX_IPC_FRAME_BYTES } from '../../../src/constants.js';
import { encodeFrame, FrameDecoder } from '../../../src/ipc/framing.js';

describe('framing', () => {
  it('reassembles frames split at every byte boundary and batched together', () => {
    const frames = [{ a: 1 }, { b: 'two', c: [3] }, { d: 'é✓' }];
    const bytes = Buffer.concat(frames.map(encodeFrame));
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(out).toEqual(frames);
    }
  });

  it('rejects an oversized length prefix before buffering it', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_IPC_FRAME_BYTES + 1);
    expect(() => new FrameDecoder().push(header)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
  });

  it('rejects a frame that is not JSON', () => {
    const body = Buffer.from('not json');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    expect(() => new FrameDecoder().push(Buffer.concat([header, body]))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
  });
});
