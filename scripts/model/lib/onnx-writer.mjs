// Minimal hand-written ONNX (protobuf) encoder — just enough to emit a static
// token-embedding model. No Python / protobuf schema compiler required.
//
// Field numbers follow onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto,
// ValueInfoProto, TypeProto, TensorShapeProto, AttributeProto, OperatorSetIdProto).

/** ONNX TensorProto.DataType values used here. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 };

// ---------------------------------------------------------------- protobuf core
class Writer {
  constructor() { this.parts = []; this.len = 0; }
  bytes(u8) { this.parts.push(u8); this.len += u8.length; }
  varint(n) {
    // Non-negative integers only (all we need); BigInt for > 2^53 safety.
    let v = BigInt(n);
    const out = [];
    while (v > 0x7fn) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
    out.push(Number(v));
    this.bytes(Uint8Array.from(out));
  }
  tag(field, wire) { this.varint((field << 3) | wire); }
  /** varint field (wire type 0) */
  int(field, n) { this.tag(field, 0); this.varint(n); }
  /** length-delimited field (wire type 2) from bytes */
  lenBytes(field, u8) { this.tag(field, 2); this.varint(u8.length); this.bytes(u8); }
  str(field, s) { this.lenBytes(field, new TextEncoder().encode(s)); }
  msg(field, w) { this.tag(field, 2); this.varint(w.len); for (const p of w.parts) this.bytes(p); }
  float(field, f) { this.tag(field, 5); const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, f, true); this.bytes(b); }
  finish() {
    const out = new Uint8Array(this.len); let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

// ---------------------------------------------------------------- ONNX messages
/** TensorProto with raw_data (little-endian bytes). */
export function tensor(name, dataType, dims, raw) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);               // dims
  w.int(2, dataType);                              // data_type
  w.str(8, name);                                  // name
  w.lenBytes(9, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)); // raw_data
  return w;
}

/** ValueInfoProto for a tensor; dims are numbers (fixed) or strings (symbolic). */
export function valueInfo(name, elemType, dims) {
  const shape = new Writer();
  for (const d of dims) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d); else dim.str(2, d);
    shape.msg(1, dim);
  }
  const tt = new Writer(); tt.int(1, elemType); tt.msg(2, shape);
  const type = new Writer(); type.msg(1, tt);
  const w = new Writer(); w.str(1, name); w.msg(2, type);
  return w;
}

/** AttributeProto: supports int (INT=2) and float (FLOAT=1). */
function attribute(name, value) {
  const w = new Writer(); w.str(1, name);
  if (Number.isInteger(value.i)) { w.int(3, value.i); w.int(20, 2); }
  else if (typeof value.f === 'number') { w.float(2, value.f); w.int(20, 1); }
  else throw new Error('unsupported attribute ' + name);
  return w;
}

/** NodeProto. attrs: { name: {i: int} | {f: float} } */
export function node(opType, inputs, outputs, name, attrs = {}) {
  const w = new Writer();
  for (const i of inputs) w.str(1, i);
  for (const o of outputs) w.str(2, o);
  w.str(3, name);
  w.str(4, opType);
  for (const [k, v] of Object.entries(attrs)) w.msg(5, attribute(k, v));
  return w;
}

/** Serialise a full ModelProto. */
export function model({ nodes, initializers, inputs, outputs, graphName = 'graph', opset = 17, irVersion = 8, producer = 'hivemesh-static-embedder', doc = '' }) {
  const g = new Writer();
  for (const n of nodes) g.msg(1, n);
  g.str(2, graphName);
  for (const t of initializers) g.msg(5, t);
  if (doc) g.str(10, doc);
  for (const i of inputs) g.msg(11, i);
  for (const o of outputs) g.msg(12, o);
  const m = new Writer();
  m.int(1, irVersion);
  m.str(2, producer);
  m.str(3, '1');
  m.msg(7, g);
  const op = new Writer(); op.str(1, ''); op.int(2, opset);
  m.msg(8, op);
  return m.finish();
}

// ---------------------------------------------------------------- the embedding graph
/**
 * Build the static-embedding ONNX model.
 *   inputs : input_ids int64 [batch, seq], attention_mask int64 [batch, seq] (accepted, unused:
 *            transformers.js' mean pooling applies the mask itself)
 *   output : last_hidden_state float [batch, seq, dim]
 * matrix: Float32Array(V*dim) row-major. storage: 'fp32' | 'fp16' | 'int8' (per-row scale).
 */
export function buildEmbeddingOnnx(matrix, V, dim, storage = 'int8') {
  const nodes = []; const inits = [];
  if (storage === 'fp32') {
    inits.push(tensor('embeddings', DT.FLOAT, [V, dim], matrix));
    nodes.push(node('Gather', ['embeddings', 'input_ids'], ['last_hidden_state'], 'gather', { axis: { i: 0 } }));
  } else if (storage === 'fp16') {
    inits.push(tensor('embeddings_fp16', DT.FLOAT16, [V, dim], toFloat16(matrix)));
    nodes.push(node('Gather', ['embeddings_fp16', 'input_ids'], ['gathered_fp16'], 'gather', { axis: { i: 0 } }));
    nodes.push(node('Cast', ['gathered_fp16'], ['last_hidden_state'], 'cast', { to: { i: DT.FLOAT } }));
  } else if (storage === 'int8') {
    // Symmetric per-row int8: row r = q[r] * scale[r], scale = max|row| / 127.
    const q = new Int8Array(V * dim); const scale = new Float32Array(V);
    for (let r = 0; r < V; r++) {
      let m = 0;
      for (let j = 0; j < dim; j++) m = Math.max(m, Math.abs(matrix[r * dim + j]));
      const s = m > 0 ? m / 127 : 1; scale[r] = m > 0 ? s : 0;
      for (let j = 0; j < dim; j++) q[r * dim + j] = Math.max(-127, Math.min(127, Math.round(matrix[r * dim + j] / s)));
    }
    inits.push(tensor('embeddings_int8', DT.INT8, [V, dim], q));
    inits.push(tensor('row_scale', DT.FLOAT, [V, 1], scale));
    nodes.push(node('Gather', ['embeddings_int8', 'input_ids'], ['gathered_int8'], 'gather_q', { axis: { i: 0 } }));
    nodes.push(node('Cast', ['gathered_int8'], ['gathered_f32'], 'cast', { to: { i: DT.FLOAT } }));
    nodes.push(node('Gather', ['row_scale', 'input_ids'], ['gathered_scale'], 'gather_scale', { axis: { i: 0 } }));
    nodes.push(node('Mul', ['gathered_f32', 'gathered_scale'], ['last_hidden_state'], 'dequant'));
  } else throw new Error('unknown storage ' + storage);
  return model({
    nodes, initializers: inits,
    inputs: [valueInfo('input_ids', DT.INT64, ['batch_size', 'sequence_length']),
             valueInfo('attention_mask', DT.INT64, ['batch_size', 'sequence_length'])],
    outputs: [valueInfo('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', dim])],
    doc: `static token embeddings, vocab=${V}, dim=${dim}, storage=${storage}`,
  });
}

/** Float32Array -> Uint16Array of IEEE half floats (round-to-nearest-even). */
export function toFloat16(f32) {
  const out = new Uint16Array(f32.length);
  const fb = new Float32Array(1); const ib = new Uint32Array(fb.buffer);
  for (let i = 0; i < f32.length; i++) {
    fb[0] = f32[i]; const x = ib[0];
    const sign = (x >>> 16) & 0x8000; let exp = ((x >>> 23) & 0xff) - 127 + 15; let mant = x & 0x7fffff;
    if (exp <= 0) { // subnormal / zero
      if (exp < -10) { out[i] = sign; continue; }
      mant |= 0x800000; const shift = 14 - exp;
      let h = mant >> shift; if ((mant >> (shift - 1)) & 1) h++; out[i] = sign | h; continue;
    }
    if (exp >= 31) { out[i] = sign | 0x7c00; continue; }
    let h = sign | (exp << 10) | (mant >> 13);
    if ((mant & 0x1000) && ((mant & 0x2fff) !== 0)) h++; // round half to even
    out[i] = h;
  }
  return out;
}
