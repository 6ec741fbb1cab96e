import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Diff from 'diff';
import type * as Yaml from 'yaml';
import { HclWorker } from './hclWorker.js';

/**
 * Libraries only devops tools use, required (synchronously, so their callers stay synchronous) on
 * first use rather than imported when the daemon starts: `yaml` is ~70 CommonJS modules and `diff`
 * ~20, loaded before the first search although no search needs them (issue 11, third session).
 */
const requireHere = createRequire(import.meta.url);

let yamlLibrary: typeof Yaml | undefined;
let diffLibrary: typeof Diff | undefined;
let hclParser: HclWorker | undefined;

/** The `yaml` package, loaded by the first YAML parsed. */
export function yaml(): typeof Yaml {
  return (yamlLibrary ??= requireHere('yaml') as typeof Yaml);
}

/** The `diff` package, loaded by the first diff made. */
export function diff(): typeof Diff {
  return (diffLibrary ??= requireHere('diff') as typeof Diff);
}

/**
 * `@cdktn/hcl2json` (HashiCorp's HCL parser compiled to WebAssembly) in its own worker
 * (`hclWorker.ts`), started by the first Terraform playbook checked: it reads and instantiates a
 * 7 MB WASM module (~0.8 s here).
 */
export function hcl2json(): HclWorker {
  if (hclParser) return hclParser;
  // Refuse here, with a catchable error, an install that lacks the parser file.
  const wasm = join(hcl2jsonDirectory(), 'main.wasm.gz');
  if (!existsSync(wasm)) throw new Error(`@cdktn/hcl2json is installed without its parser (${wasm} is missing)`);
  return (hclParser = new HclWorker());
}

/**
 * Stops the parser's worker so the next use starts a fresh one: a Go runtime that overflowed the
 * stack is left corrupted (its next call dies with "fatal error: schedule: holding locks" and every
 * later one with "Go program has already exited").
 */
export function forgetHcl2json(): void {
  void hclParser?.stop();
  hclParser = undefined;
}

function hcl2jsonDirectory(): string {
  return dirname(requireHere.resolve('@cdktn/hcl2json/package.json'));
}
