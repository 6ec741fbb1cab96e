/**
 * Terraform playbooks go through HashiCorp's own HCL parser (`hcl` in Go, compiled to WebAssembly,
 * shipped as `@cdktn/hcl2json`), loaded on the first Terraform check: a syntax error is refused with
 * the parser's line and column, and the blocks are read from the JSON it returns. Semantics (unknown
 * arguments, references) stay with `terraform validate`.
 */
import { InvalidInputError, MeshError } from '../errors.js';
import { forgetHcl2json, hcl2json } from './lazyLibraries.js';
import { HCL_MAX_NESTING, HCL_PARSE_TIMEOUT_MS } from './opsConstants.js';
import type { PlaybookSummary } from './playbookParse.js';
import { refuseAt } from './playbookRefusal.js';

/** The name the parser is given: its diagnostics start with it, so it must be one a file's text cannot fake easily. */
const FILE = 'playbook.tf';
/** Top-level blocks Terraform knows, in the order the summary lists them. */
const TF_BLOCKS = ['terraform', 'provider', 'variable', 'locals', 'data', 'ephemeral', 'resource', 'module', 'output', 'moved', 'import', 'removed', 'check'];
/** `playbook.tf:3,1-2: Summary; Detail` (a range may also end on another line: `3,1-4,2`), several in `parse config: [...]`. */
const RANGE = String.raw`playbook\.tf:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: `;
const DIAGNOSTIC = new RegExp(`^parse config: \\[${RANGE}(.*?); (.*?)(?= ${RANGE}|\\]$)`, 's');

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Brackets nested deeper than HCL_MAX_NESTING, counted over the raw text (brackets in strings and
 * comments count too: a generous bound, not a parse), refused before they overflow the parser's stack.
 */
function refuseDeepNesting(content: string): void {
  let depth = 0;
  let line = 1;
  let column = 0;
  for (const ch of content) {
    if (ch === '\n') {
      line++;
      column = 0;
      continue;
    }
    column++;
    if (ch === '{' || ch === '[' || ch === '(') {
      if (++depth > HCL_MAX_NESTING) refuseAt(`brackets nested deeper than ${HCL_MAX_NESTING} levels`, line, column);
    } else if ((ch === '}' || ch === ']' || ch === ')') && depth > 0) depth--;
  }
}

/** The parser's answer, or its first diagnostic as INVALID_INPUT with its line and column. */
async function parseHcl(content: string): Promise<unknown> {
  try {
    return await hcl2json().parse(FILE, content, HCL_PARSE_TIMEOUT_MS);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const diagnostic = DIAGNOSTIC.exec(message);
    if (diagnostic) refuseAt(`HCL error: ${diagnostic[3]!}: ${diagnostic[4]!.trim()}`, Number(diagnostic[1]), Number(diagnostic[2]), { hcl_summary: diagnostic[3]! });
    // Anything else may leave the parser unusable (a stack overflow corrupts its Go runtime): the next check starts a fresh one.
    forgetHcl2json();
    if (err instanceof Error && err.name === 'TimeoutError') throw new MeshError('TIMEOUT', message);
    if (err instanceof Error && err.name === 'RangeError') throw new InvalidInputError(`the Terraform parser ran out of stack on this file (expressions nested too deep): ${message}`);
    throw new MeshError('INTERNAL', `the Terraform parser failed: ${message}`);
  }
}

/** `resource.aws_instance.web` for each body of each known top-level block (labels are nested keys, bodies the arrays under them). */
function blockItems(parsed: unknown): string[] {
  if (!isMap(parsed)) return [];
  const items: string[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) items.push(path.join('.'));
    else if (isMap(value)) for (const key of Object.keys(value).sort()) walk(value[key], [...path, key]);
  };
  for (const type of TF_BLOCKS) if (type in parsed) walk(parsed[type], [type]);
  return items;
}

/** Checks a Terraform playbook with the HCL parser; at least one known top-level block is required. */
export async function checkTerraform(content: string): Promise<PlaybookSummary> {
  refuseDeepNesting(content);
  const items = blockItems(await parseHcl(content));
  if (items.length === 0) throw new InvalidInputError('no Terraform block found (resource, module, variable, provider, terraform, ...)');
  return { documents: 1, items };
}
