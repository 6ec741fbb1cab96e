import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { DEFAULT_EMBEDDING_MODEL_ID } from '../../../src/search/constants.js';
import { contentHash, embeddingKey } from '../../../src/search/embedder/contentHash.js';
import { defaultModel, resolveModel } from '../../../src/search/embedder/models.js';
import { TransformersEmbedder } from '../../../src/search/embedder/TransformersEmbedder.js';
import { embedderAcceptance } from '../../helpers/embedderAcceptance.js';

embedderAcceptance(`TransformersEmbedder(${DEFAULT_EMBEDDING_MODEL_ID})`, () => TransformersEmbedder.load(defaultModel()));

describe('TransformersEmbedder', () => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'hivemesh-models-'));
  afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

  it('loads the bundled model offline with its known dimension', async () => {
    const embedder = await TransformersEmbedder.load(resolveModel(undefined, modelsDir));
    try {
      expect(embedder.modelId).toBe(DEFAULT_EMBEDDING_MODEL_ID);
      expect(embedder.dimension).toBe(256);
    } finally {
      await embedder.close();
    }
  });

  it('reports MODEL_UNAVAILABLE naming the folder when a configured model is missing', async () => {
    const model = resolveModel({ id: 'all-MiniLM-L6-v2' }, modelsDir);
    const err: unknown = await TransformersEmbedder.load(model).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MeshError);
    expect((err as MeshError).code).toBe('MODEL_UNAVAILABLE');
    expect((err as MeshError).message).toContain(join(modelsDir, 'all-MiniLM-L6-v2'));
    expect((err as MeshError).message).toContain('allowRemote');
  });

  it('reports MODEL_UNAVAILABLE for an explicit path that has no model', async () => {
    const model = resolveModel({ id: 'mine', path: join(modelsDir, 'nowhere') }, modelsDir);
    await expect(TransformersEmbedder.load(model)).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', details: { path: join(modelsDir, 'nowhere') } });
  });
});

describe('resolveModel', () => {
  it('maps ids to the models dir, paths to themselves, and refuses ids that escape', () => {
    expect(resolveModel({ id: 'Xenova/all-MiniLM-L6-v2', allowRemote: true }, '/m')).toMatchObject({ dir: '/m/Xenova/all-MiniLM-L6-v2', root: '/m', name: 'Xenova/all-MiniLM-L6-v2', allowRemote: true });
    expect(resolveModel({ id: 'x', path: '/opt/models/minilm' }, '/m')).toMatchObject({ id: 'x', dir: '/opt/models/minilm', root: '/opt/models', name: 'minilm', allowRemote: false });
    expect(() => resolveModel({ id: '../etc' }, '/m')).toThrow(MeshError);
    expect(() => resolveModel({ id: 'x', path: '/p', allowRemote: true }, '/m')).toThrow(MeshError);
  });
});

describe('contentHash', () => {
  it('is sha256 of the exact text, and the key includes the model id', () => {
    expect(contentHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash('abc ')).not.toBe(contentHash('abc'));
    expect(embeddingKey('m1', 'abc')).not.toBe(embeddingKey('m2', 'abc'));
  });
});
