import { InvalidInputError } from '../errors.js';

/**
 * MCP tool groups the interface names. Each costs context in the client, so only `core` is
 * exposed unless asked; a build advertises and accepts only the groups it has (buildServer.ts).
 */
export const TOOL_GROUPS = ['core', 'lifecycle', 'agents', 'kanban', 'vault', 'teams', 'devops'] as const;
export type ToolGroup = (typeof TOOL_GROUPS)[number];

/** The reason a group name cannot be enabled, naming the groups that can. */
export function unavailableGroup(name: string, available: readonly ToolGroup[]): InvalidInputError {
  const known = (TOOL_GROUPS as readonly string[]).includes(name);
  return new InvalidInputError(`${known ? `the tool group "${name}" is not in this build` : `unknown tool group "${name}"`}; available: ${available.join(', ')}`, { group: name, available: [...available] });
}

/**
 * Parses MESH_TOOLS: `core` (default), `all` (every group this build has), or a comma list. A name
 * this build lacks is refused with the list of available groups rather than dropped in silence.
 */
export function parseToolGroups(value: string | undefined, available: readonly ToolGroup[]): Set<ToolGroup> {
  const groups = new Set<ToolGroup>(['core']);
  const raw = (value ?? 'core').trim();
  if (raw === 'all') return new Set(available);
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const group = available.find((g) => g === name);
    if (!group) {
      const e = unavailableGroup(name, available);
      throw new InvalidInputError(`MESH_TOOLS: ${e.message} (or all)`, e.details);
    }
    groups.add(group);
  }
  return groups;
}
