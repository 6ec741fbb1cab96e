import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../version.js';
import { DEFAULT_EMBEDDING_MODEL_ID } from '../constants.js';

/**
 * ONNX weight variants transformers.js can open; each names a file in `onnx/`
 * (`fp32` → `model.onnx`, `q8` → `model_quantized.onnx`, `fp16` → `model_fp16.onnx`, …).
 */
export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

/** What a user configures (the `embedding.model` part of config.json, once wired). */
export interface ModelConfig {
  /** The model's id: the bundled id, a name under the models dir, or a hub id such as `Xenova/all-MiniLM-L6-v2`. */
  id: string;
  /** A local Hugging Face model folder (config.json, tokenizer.json, onnx/…); overrides the lookup by id. */
  path?: string | undefined;
  /** Opt-in for online hosts: download `id` from the hub into the models dir when it is not there. */
  allowRemote?: boolean | undefined;
  /** Which ONNX file to open; the library default (fp32, `onnx/model.onnx`) when absent. */
  dtype?: ModelDtype | undefined;
}

/** A model located on disk: what the embedder needs to load it. */
export interface ResolvedModel {
  /** The id recorded with indexes built from it. */
  id: string;
  /** Absolute folder the model's files are (or, when downloading, will be) in. */
  dir: string;
  /** transformers.js's `localModelPath`: the folder *containing* the model folder. */
  root: string;
  /** The model's path below `root`, passed to `pipeline()`. */
  name: string;
  /** Whether a missing folder may be downloaded from the hub (into `root`). */
  allowRemote: boolean;
  dtype?: ModelDtype | undefined;
}

/** Where the bundled models live. tsc does not copy them to dist/, so they are found from the package root, not from this file. */
export const BUNDLED_MODELS_DIR: string = join(PACKAGE_ROOT, 'src', 'search', 'embedder', 'models');

/** Hub ids and model folder names: `name` or `owner/name`, no `..`, so an id can never point outside the models dir. */
const MODEL_ID = /^[\w.-]+(\/[\w.-]+)?$/;

/** The default model, shipped in the repo: 256-d static embeddings distilled from USE lite (see scripts/model/README.md). */
export function defaultModel(): ResolvedModel {
  return {
    id: DEFAULT_EMBEDDING_MODEL_ID,
    dir: join(BUNDLED_MODELS_DIR, DEFAULT_EMBEDDING_MODEL_ID),
    root: BUNDLED_MODELS_DIR,
    name: DEFAULT_EMBEDDING_MODEL_ID,
    allowRemote: false,
    dtype: 'fp32',
  };
}

/**
 * Resolves a configured model to a folder, without loading it:
 * - none, or the bundled id without a path: the bundled model;
 * - `path`: that folder (relative paths against `modelsDir`), never downloaded;
 * - otherwise `<modelsDir>/<id>`, a folder a user put there or a hub download cached there
 *   (transformers.js caches a download at `<cache_dir>/<id>/…`, the same layout, so the next
 *   start loads it offline).
 * Checks only the config; a missing folder is reported when the embedder loads.
 */
export function resolveModel(config: ModelConfig | undefined, modelsDir: string): ResolvedModel {
  if (!config || (config.id === DEFAULT_EMBEDDING_MODEL_ID && config.path === undefined)) return defaultModel();
  const { id, path, allowRemote = false, dtype } = config;
  if (id.trim() === '') throw new InvalidInputError('embedding model id is empty');
  if (path !== undefined) {
    if (allowRemote) {
      throw new InvalidInputError(`embedding model "${id}": "allowRemote" downloads into the models dir (${modelsDir}), so it cannot be combined with "path"`, { id, path });
    }
    const dir = isAbsolute(path) ? path : resolve(modelsDir, path);
    return { id, dir, root: dirname(dir), name: basename(dir), allowRemote: false, dtype };
  }
  if (!MODEL_ID.test(id) || id.split('/').some((part) => part === '..' || part === '.')) {
    throw new InvalidInputError(`embedding model id "${id}" is not a model name or "owner/name" hub id; set "path" for a folder elsewhere`, { id });
  }
  return { id, dir: join(modelsDir, id), root: modelsDir, name: id, allowRemote, dtype };
}

/** Whether `dir` looks like a model folder transformers.js can open (it reads config.json first). */
export function modelFolderExists(dir: string): boolean {
  return existsSync(join(dir, 'config.json'));
}
