import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { MeshError } from '../../errors.js';
import { EMBED_BATCH_SIZE } from '../constants.js';
import type { Embedder } from './Embedder.js';
import { modelFolderExists } from './models.js';
import type { ResolvedModel } from './models.js';

export interface TransformersEmbedderOptions {
  /** Texts per pipeline call; defaults to EMBED_BATCH_SIZE. */
  batchSize?: number;
  signal?: AbortSignal;
}

/** What transformers.js accepts as a hub id; anything else it reads as a file path. Mirrors its REPO_ID_REGEX. */
const HUB_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;

/**
 * transformers.js keeps its settings (`env`) in one global object, read while a model loads.
 * Loads are chained so two embedders with different settings never interleave.
 */
let loadChain: Promise<unknown> = Promise.resolve();

/**
 * The default Embedder: a Hugging Face model folder (ONNX weights) run by transformers.js's
 * `feature-extraction` pipeline with mean pooling and L2 normalisation. Any standard
 * sentence-embedding folder works (the bundled static model, all-MiniLM-L6-v2, …).
 * The network is used only when the resolved model says `allowRemote` and the folder is missing.
 */
export class TransformersEmbedder implements Embedder {
  private closed = false;

  private constructor(
    readonly modelId: string,
    readonly dimension: number,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly batchSize: number,
  ) {}

  /** Loads the model and probes its dimension. Throws MeshError `MODEL_UNAVAILABLE` naming the folder when it cannot. */
  static async load(model: ResolvedModel, opts: TransformersEmbedderOptions = {}): Promise<TransformersEmbedder> {
    const batchSize = opts.batchSize ?? EMBED_BATCH_SIZE;
    const extractor = await serialised(() => openPipeline(model));
    try {
      opts.signal?.throwIfAborted();
      const probe = await extractor(['dimension probe'], { pooling: 'mean', normalize: true });
      const dimension = probe.dims[1];
      if (probe.dims.length !== 2 || dimension === undefined || dimension < 1) {
        throw new MeshError('MODEL_UNAVAILABLE', `embedding model "${model.id}" at ${model.dir} does not produce sentence vectors (output dims ${JSON.stringify(probe.dims)})`, { modelId: model.id, path: model.dir });
      }
      return new TransformersEmbedder(model.id, dimension, extractor, batchSize);
    } catch (err) {
      await extractor.dispose();
      throw err;
    }
  }

  async embed(texts: string[], opts: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    if (this.closed) throw new MeshError('MODEL_UNAVAILABLE', `embedder for "${this.modelId}" is closed`, { modelId: this.modelId });
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      opts.signal?.throwIfAborted();
      // An empty string gives the static model no tokens, and the mean of nothing is NaN; a lone
      // space tokenises to the word-boundary piece in every tokenizer we use, giving a real vector.
      const batch = texts.slice(start, start + this.batchSize).map((t) => (t === '' ? ' ' : t));
      const tensor = await this.extractor(batch, { pooling: 'mean', normalize: true });
      // fp16 models pool into a 16-bit array; callers always get Float32Array.
      const raw = tensor.data as unknown;
      const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * this.dimension, (i + 1) * this.dimension));
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.extractor.dispose();
  }
}

function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = loadChain.then(fn, fn);
  loadChain = next.catch(() => undefined);
  return next;
}

async function openPipeline(model: ResolvedModel): Promise<FeatureExtractionPipeline> {
  const local = modelFolderExists(model.dir);
  if (!local && !model.allowRemote) throw missingModel(model);
  env.allowRemoteModels = !local && model.allowRemote;
  env.localModelPath = model.root;
  try {
    // A name that is not a hub id is read as a path by transformers.js, so pass the absolute folder then.
    const arg = HUB_ID.test(model.name) && !model.name.includes('..') && !model.name.includes('--') ? model.name : model.dir;
    return await pipeline('feature-extraction', arg, {
      local_files_only: !env.allowRemoteModels,
      // Downloads land at <root>/<id>/…, where the next (offline) start finds them.
      cache_dir: model.root,
      ...(model.dtype ? { dtype: model.dtype } : {}),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MeshError(
      'MODEL_UNAVAILABLE',
      `embedding model "${model.id}" could not be loaded from ${model.dir}: ${reason}. ` +
        `The folder needs config.json, tokenizer.json and onnx/${onnxFileFor(model)}.`,
      { modelId: model.id, path: model.dir },
    );
  } finally {
    // transformers.js defaults to remote models allowed; the process stays offline unless a load opts in.
    env.allowRemoteModels = false;
  }
}

function missingModel(model: ResolvedModel): MeshError {
  return new MeshError(
    'MODEL_UNAVAILABLE',
    `embedding model "${model.id}" not found: ${join(model.dir, 'config.json')} does not exist. ` +
      `Put a Hugging Face model folder (config.json, tokenizer.json, onnx/${onnxFileFor(model)}) at ${model.dir}, ` +
      `point "path" at one, or on a host that is online set "allowRemote": true to download "${model.id}".`,
    { modelId: model.id, path: model.dir },
  );
}

function onnxFileFor(model: ResolvedModel): string {
  return model.dtype === 'q8' ? 'model_quantized.onnx' : model.dtype && model.dtype !== 'fp32' ? `model_${model.dtype}.onnx` : 'model.onnx';
}
