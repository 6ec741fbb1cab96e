// Write an HF-format model folder that transformers.js loads as a feature-extraction model:
//   config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEmbeddingOnnx } from './onnx-writer.mjs';
import { tokenizerJson, tokenizerConfig } from './hf-tokenizer.mjs';

/**
 * dir: output folder; vocab: [[piece, score]]; matrix: Float32Array(V*dim);
 * storage: 'int8' | 'fp16' | 'fp32'; meta: extra info stored in config.json.
 */
export function writeModelFolder(dir, { vocab, matrix, dim, storage = 'int8', lowercase = false, meta = {} }) {
  const V = vocab.length;
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const config = {
    // "bert" = plain encoder-only model class in transformers.js: it feeds input_ids and
    // attention_mask (token_type_ids only if the ONNX graph asks for it, ours does not).
    model_type: 'bert',
    architectures: ['StaticEmbeddingModel'],
    hidden_size: dim,
    vocab_size: V,
    max_position_embeddings: 512,
    pad_token_id: 3,
    'transformers.js_config': { dtype: 'fp32' }, // -> onnx/model.onnx
    hivemesh: { kind: 'static-token-embeddings', teacher: 'universal-sentence-encoder-lite (tfjs)', storage, lowercase, ...meta },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab, { lowercase })));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(), null, 2));
  const onnx = buildEmbeddingOnnx(matrix, V, dim, storage);
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnx);
  return { bytes: onnx.length };
}
