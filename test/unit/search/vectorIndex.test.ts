import { join } from 'node:path';
import { HnswVectorIndex } from '../../../src/search/vector/HnswVectorIndex.js';
import { vectorIndexAcceptance } from '../../helpers/vectorIndexAcceptance.js';

// The HNSW index is the one MemoryVectors is given in the daemon; its own behaviour (capacity,
// corrupt files, recall) is in hnsw.test.ts.
vectorIndexAcceptance('HnswVectorIndex', (dir, dimension) => HnswVectorIndex.files(join(dir, 'hnsw'), { modelId: 'acceptance-model', dimension }));
