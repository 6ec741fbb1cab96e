import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { registerCoreTools } from './coreTools.js';
import { registerAgentTools } from './agentTools.js';
import { registerKanbanTools } from './kanbanTools.js';
import { registerLifecycleTools } from './lifecycleTools.js';
import { attachFormatGuideOnce } from './formatGuideOnce.js';
import type { DaemonLink } from './DaemonLink.js';
import { GroupsOut } from './outputSchemas.js';
import { failure, ok } from './results.js';
import { TOOL_GROUPS, type ToolGroup } from './toolGroups.js';

/** Registration functions of the groups this build has; the rest arrive with their issues. */
const GROUP_REGISTRARS: Partial<Record<ToolGroup, (server: McpServer, link: DaemonLink) => void>> = {
  core: registerCoreTools,
  lifecycle: registerLifecycleTools,
  agents: registerAgentTools,
  kanban: registerKanbanTools,
};

/** Builds the MCP server for one session; the transport is attached by the caller. */
export function buildServer(link: DaemonLink, groups: Set<ToolGroup>, version: string): McpServer {
  const server = new McpServer({ name: 'hivemesh', version }, { capabilities: { tools: { listChanged: true } } });
  attachFormatGuideOnce(server);
  const enabled = new Set<ToolGroup>();
  const enable = (group: ToolGroup): boolean => {
    const register = GROUP_REGISTRARS[group];
    if (!register || enabled.has(group)) return false;
    register(server, link);
    enabled.add(group);
    return true;
  };
  for (const group of groups) enable(group);

  server.registerTool(
    'enable_tool_group',
    {
      title: 'Enable a tool group',
      description: `Expose another group of hivemesh tools for this session (groups: ${TOOL_GROUPS.filter((g) => g !== 'core').join(', ')}). The client is told the tool list changed.`,
      inputSchema: z.object({ group: z.enum(TOOL_GROUPS).describe('The group to enable.') }),
      outputSchema: GroupsOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ group }) => {
      const available = Object.keys(GROUP_REGISTRARS);
      if (!GROUP_REGISTRARS[group]) return failure(new Error(`the "${group}" group is not available in this build; available: ${available.join(', ')}`));
      const added = enable(group);
      if (added) server.sendToolListChanged();
      return ok(added ? `Enabled the ${group} tools.` : `The ${group} tools were already enabled.`, { enabled: [...enabled], available });
    },
  );
  return server;
}
