/** 32-bit words on the wire, little-endian whatever the host's byte order. */
export function u32ToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return out;
}

/** The words in `bytes`, or undefined when its length is not `count` words. */
export function bytesToU32(bytes: Uint8Array, count: number): Uint32Array | undefined {
  if (bytes.byteLength !== count * 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}
