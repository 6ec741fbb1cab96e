/**
 * Token size of `tools/list`, per group (issue 14 budgets: default surface <= 3k tokens, no group
 * over 4k, every description <= 2 KB). See test/helpers/toolSurface.ts for what is counted and how.
 *
 *   node --import tsx scripts/bench/tool-tokens.ts [--tools]
 */
import '../../src/polyfills.js';
import { parseArgs } from 'node:util';
import { TOOL_GROUPS } from '../../src/mcp/toolGroups.js';
import { groupSize, wireBudgetTokens } from '../../test/helpers/toolSurface.js';
import { table } from './stats.js';

const { values } = parseArgs({ options: { tools: { type: 'boolean', default: false } } });

const sizes = [];
for (const group of TOOL_GROUPS) {
  const size = await groupSize(group);
  if (size.tools.length > 0) sizes.push(size);
}
const row = (name: string, s: { modelChars: number; modelTokens: number; wireChars: number; wireTokens: number }, n: number | string, desc: number) => [
  name,
  n,
  s.modelChars,
  s.modelTokens,
  Math.ceil(s.modelChars / 4),
  s.wireChars,
  s.wireTokens,
  Math.ceil(s.wireChars / 4),
  wireBudgetTokens(s),
  desc,
];
const headers = ['group', 'tools', 'model chars', 'model tokens', 'model chars/4', 'wire chars', 'wire tokens', 'wire chars/4', 'budgeted (max)', 'longest description (B)'];
const all = { modelChars: 0, modelTokens: 0, wireChars: 0, wireTokens: 0 };
let count = 0;
let longest = 0;
const rows = sizes.map((s) => {
  const desc = Math.max(...s.tools.map((t) => t.descriptionBytes));
  for (const k of ['modelChars', 'modelTokens', 'wireChars', 'wireTokens'] as const) all[k] += s[k];
  count += s.tools.length;
  longest = Math.max(longest, desc);
  return row(s.group, s, s.tools.length, desc);
});
rows.push(row('all', all, count, longest));
table(headers, rows);
if (values.tools) {
  console.log();
  table(['group', 'tool', 'model tokens', 'wire tokens', 'description (B)'], sizes.flatMap((s) => s.tools.map((t) => [s.group, t.name, t.modelTokens, t.wireTokens, t.descriptionBytes])));
}
