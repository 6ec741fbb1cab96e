import { join } from 'node:path';
import { defaultModel } from '../../src/search/embedder/models.js';
import { TransformersEmbedder } from '../../src/search/embedder/TransformersEmbedder.js';
import { MemoryVectors } from '../../src/search/MemoryVectors.js';
import { HnswVectorIndex } from '../../src/search/vector/HnswVectorIndex.js';
import { silentLogger } from '../../src/log.js';
import { openStack } from './memoryStack.js';

/** The memory stack plus the real default embedder and vector index: hybrid search in-process. */
export async function openSearchStack(dir: string, opts: Parameters<typeof openStack>[1] = {}) {
  const stack = await openStack(dir, opts);
  const embedder = await TransformersEmbedder.load(defaultModel());
  const vectorDir = join(dir, 'index', 'vectors');
  const vectorIndex = HnswVectorIndex.files(join(vectorDir, 'hnsw'), { modelId: embedder.modelId, dimension: embedder.dimension });
  const vectors = new MemoryVectors({ store: stack.store, embedder, vectorIndex, dir: vectorDir, logger: silentLogger() });
  const opened = await vectors.open();
  stack.useVectors(vectors);
  return {
    ...stack,
    vectors,
    vectorsOpened: opened,
    async close() {
      await vectors.close();
      await stack.close();
    },
  };
}
