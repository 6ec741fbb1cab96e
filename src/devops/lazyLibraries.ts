import { createRequire } from 'node:module';
import type * as Diff from 'diff';
import type * as Yaml from 'yaml';

/**
 * Libraries only devops tools use, required (synchronously, so their callers stay synchronous) on
 * first use rather than imported when the daemon starts: `yaml` is ~70 CommonJS modules and `diff`
 * ~20, loaded before the first search although no search needs them (issue 11, third session).
 */
const requireHere = createRequire(import.meta.url);

let yamlLibrary: typeof Yaml | undefined;
let diffLibrary: typeof Diff | undefined;

/** The `yaml` package, loaded by the first YAML parsed. */
export function yaml(): typeof Yaml {
  return (yamlLibrary ??= requireHere('yaml') as typeof Yaml);
}

/** The `diff` package, loaded by the first diff made. */
export function diff(): typeof Diff {
  return (diffLibrary ??= requireHere('diff') as typeof Diff);
}
