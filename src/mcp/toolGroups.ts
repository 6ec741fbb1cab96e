/** MCP tool groups. Each costs context in the client, so only `core` is exposed unless asked. */
export const TOOL_GROUPS = ['core', 'lifecycle', 'agents', 'kanban', 'vault', 'teams', 'devops'] as const;
export type ToolGroup = (typeof TOOL_GROUPS)[number];

/** Parses MESH_TOOLS: `core` (default), `all`, or a comma list. Unknown names are reported, not fatal. */
export function parseToolGroups(value: string | undefined): { groups: Set<ToolGroup>; unknown: string[] } {
  const groups = new Set<ToolGroup>(['core']);
  const unknown: string[] = [];
  const raw = (value ?? 'core').trim();
  if (raw === 'all') return { groups: new Set(TOOL_GROUPS), unknown };
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if ((TOOL_GROUPS as readonly string[]).includes(name)) groups.add(name as ToolGroup);
    else unknown.push(name);
  }
  return { groups, unknown };
}
