// Tiny dense linear-algebra helpers (Float64 where it matters). Row-major matrices.

/** Column means of X (n x d). */
export function colMean(X, n, d) {
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j] += X[i * d + j];
  for (let j = 0; j < d; j++) m[j] /= n;
  return m;
}

/** Covariance (d x d) of rows of X after subtracting mean. */
export function covariance(X, n, d, mean) {
  const C = new Float64Array(d * d); const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = X[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) { const ra = row[a]; if (ra === 0) continue; const o = a * d; for (let b = a; b < d; b++) C[o + b] += ra * row[b]; }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { C[a * d + b] /= n; C[b * d + a] = C[a * d + b]; }
  return C;
}

/** Symmetric eigendecomposition by cyclic Jacobi. Returns {values, vectors} sorted desc; vectors[k] is Float64Array(d). */
export function symEig(Cin, d, sweeps = 12) {
  const A = Float64Array.from(Cin); const Vm = new Float64Array(d * d);
  for (let i = 0; i < d; i++) Vm[i * d + i] = 1;
  for (let sw = 0; sw < sweeps; sw++) {
    let off = 0; for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p * d + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) {
      const apq = A[p * d + q]; if (Math.abs(apq) < 1e-300) continue;
      const app = A[p * d + p], aqq = A[q * d + q];
      const theta = (aqq - app) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < d; k++) { // rotate rows/cols p,q
        const akp = A[k * d + p], akq = A[k * d + q];
        A[k * d + p] = c * akp - s * akq; A[k * d + q] = s * akp + c * akq;
      }
      for (let k = 0; k < d; k++) {
        const apk = A[p * d + k], aqk = A[q * d + k];
        A[p * d + k] = c * apk - s * aqk; A[q * d + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < d; k++) {
        const vkp = Vm[k * d + p], vkq = Vm[k * d + q];
        Vm[k * d + p] = c * vkp - s * vkq; Vm[k * d + q] = s * vkp + c * vkq;
      }
    }
  }
  const idx = [...Array(d).keys()].sort((a, b) => A[b * d + b] - A[a * d + a]);
  return {
    values: idx.map((i) => A[i * d + i]),
    vectors: idx.map((i) => { const v = new Float64Array(d); for (let k = 0; k < d; k++) v[k] = Vm[k * d + i]; return v; }),
  };
}

/** Project rows of X (n x D) minus mean onto the first k basis vectors -> Float32Array(n*k). */
export function project(X, n, D, mean, basis, k) {
  const out = new Float32Array(n * k); const row = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) row[j] = X[i * D + j] - mean[j];
    for (let c = 0; c < k; c++) { const b = basis[c]; let s = 0; for (let j = 0; j < D; j++) s += row[j] * b[j]; out[i * k + c] = s; }
  }
  return out;
}

export function l2normalizeRows(X, n, d) {
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += X[i * d + j] ** 2; s = Math.sqrt(s) || 1; for (let j = 0; j < d; j++) X[i * d + j] /= s; }
  return X;
}

export function cosine(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / (Math.sqrt(na * nb) || 1);
}
