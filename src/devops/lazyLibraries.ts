import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
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
let hclLibrary: Hcl2Json | undefined;

/**
 * The one call used from `@cdktn/hcl2json`, declared here rather than imported: its typings start
 * with `/// <reference lib="dom" />`, which would let browser globals type-check everywhere.
 */
export interface Hcl2Json {
  /** The file as JSON, or a rejection whose message lists the parser's diagnostics. */
  parse(filename: string, contents: string): Promise<unknown>;
}

/** The `yaml` package, loaded by the first YAML parsed. */
export function yaml(): typeof Yaml {
  return (yamlLibrary ??= requireHere('yaml') as typeof Yaml);
}

/** The `diff` package, loaded by the first diff made. */
export function diff(): typeof Diff {
  return (diffLibrary ??= requireHere('diff') as typeof Diff);
}

/**
 * `@cdktn/hcl2json` (HashiCorp's HCL parser compiled to WebAssembly), loaded by the first Terraform
 * playbook checked: requiring it reads and instantiates a 7 MB WASM module (~0.8 s here), which
 * also defines globals (`Go`, `fs`, `require`, `__parse_terraform_config_wasm__`).
 */
export function hcl2json(): Hcl2Json {
  if (hclLibrary) return hclLibrary;
  // The package instantiates its WASM in a promise whose failure it rethrows unhandled, which would
  // end the daemon: refuse here, with a catchable error, an install that lacks the file.
  const wasm = join(hcl2jsonDirectory(), 'main.wasm.gz');
  if (!existsSync(wasm)) throw new Error(`@cdktn/hcl2json is installed without its parser (${wasm} is missing)`);
  return (hclLibrary = requireHere('@cdktn/hcl2json') as Hcl2Json);
}

/**
 * Drops the parser's instance so the next use loads a fresh one: a Go runtime that overflowed the
 * stack is left corrupted (its next call dies with "fatal error: schedule: holding locks" and every
 * later one with "Go program has already exited"). The instance lives in the package's module scope,
 * so its modules leave the require cache.
 */
export function forgetHcl2json(): void {
  hclLibrary = undefined;
  const root = hcl2jsonDirectory() + sep;
  for (const file of Object.keys(requireHere.cache)) if (file.startsWith(root)) delete requireHere.cache[file];
}

function hcl2jsonDirectory(): string {
  return dirname(requireHere.resolve('@cdktn/hcl2json/package.json'));
}
