// Exact loading code for the product: offline, local folder, standard pipeline.
import { env, pipeline } from '@huggingface/transformers';

env.allowRemoteModels = false;                              // never touch the network
env.localModelPath = new URL('../../src/search/embedder/models/', import.meta.url).pathname; // folder that CONTAINS the model dir
const extractor = await pipeline('feature-extraction', 'hivemesh-static-use-v1', { dtype: 'fp32' }); // -> onnx/model.onnx

const texts = ['Pod stuck in CrashLoopBackOff after deploy', 'container keeps restarting in a crash loop', 'Update the README with install steps'];
const out = await extractor(texts, { pooling: 'mean', normalize: true }); // Tensor [3, 256]
const v = out.tolist();
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
console.log('dims', out.dims, 'sim(0,1)', dot(v[0], v[1]).toFixed(3), 'sim(0,2)', dot(v[0], v[2]).toFixed(3));
