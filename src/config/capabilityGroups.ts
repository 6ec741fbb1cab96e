import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { MAX_CAPABILITIES } from '../constants.js';
import { PACKAGE_ROOT } from '../version.js';

export const CapabilityGroupSchema = z
  .object({
    name: z.string().min(1).max(64),
    /** Machine-name globs (`es-*`, `*laptop*`), matched case-insensitively. */
    machines: z.array(z.string().min(1).max(200)).min(1).max(64),
    capabilities: z.array(z.string().min(1).max(64)).min(1).max(MAX_CAPABILITIES),
  })
  .strict();
export type CapabilityGroup = z.infer<typeof CapabilityGroupSchema>;

const FileSchema = z.object({ $comment: z.string().optional(), groups: z.array(CapabilityGroupSchema) }).strict();

/** The repository's `config/capability-groups.json`: the editable seed every host starts from. */
const DEFAULT_FILE = join(PACKAGE_ROOT, 'config', 'capability-groups.json');

let defaults: CapabilityGroup[] | undefined;

/** The default groups, read once from config/ (the file ships with the package). */
export function defaultCapabilityGroups(): CapabilityGroup[] {
  defaults ??= FileSchema.parse(JSON.parse(readFileSync(DEFAULT_FILE, 'utf8'))).groups;
  return defaults;
}

/** Groups whose patterns match `machine`, and the union of their capabilities, in file order. */
export function capabilitiesForMachine(groups: readonly CapabilityGroup[], machine: string): { groups: string[]; capabilities: string[] } {
  const matched = groups.filter((g) => picomatch.isMatch(machine, g.machines, { nocase: true }));
  return { groups: matched.map((g) => g.name), capabilities: [...new Set(matched.flatMap((g) => g.capabilities))] };
}
