import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { registerCoreTools } from './coreTools.js';
import { registerAgentTools } from './agentTools.js';
import { registerKanbanTools } from './kanbanTools.js';
import { registerLifecycleTools } from './lifecycleTools.js';
import { attachFormatGuideOnce } from './formatGuideOnce.js';
import { registerDevopsTools } from './devopsTools.js';
import { setGroupEnabler } from './groupEnabler.js';
import { registerTeamTools } from './teamTools.js';
import { registerVaultTools } from './vaultTools.js';
import type { DaemonLink } from './DaemonLink.js';
import { GroupsOut } from './outputSchemas.js';
import { failure, ok } from './results.js';
import { unavailableGroup, type ToolGroup } from './toolGroups.js';
import { validateToolInputsOurselves } from './toolValidation.js';
import { attachWriteScopes } from './writeScopes.js';

/** Registration functions of the groups this build has; the rest arrive with their issues. */
const GROUP_REGISTRARS: Partial<Record<ToolGroup, (server: McpServer, link: DaemonLink) => void>> = {
  core: registerCoreTools,
  lifecycle: registerLifecycleTools,
  agents: registerAgentTools,
  kanban: registerKanbanTools,
  teams: registerTeamTools,
  vault: registerVaultTools,
  devops: registerDevopsTools,
};

/** The groups this build can expose, in the interface's order: the only ones advertised or accepted. */
export const AVAILABLE_TOOL_GROUPS = Object.keys(GROUP_REGISTRARS) as ToolGroup[];

/** Builds the MCP server for one session; the transport is attached by the caller. */
export function buildServer(link: DaemonLink, groups: Set<ToolGroup>, version: string): McpServer {
  const server = new McpServer({ name: 'hivemesh', version }, { capabilities: { tools: { listChanged: true } } });
  validateToolInputsOurselves(server);
  attachFormatGuideOnce(server);
  attachWriteScopes(server, link);
  const enabled = new Set<ToolGroup>();
  const enable = (group: ToolGroup): boolean => {
    const register = GROUP_REGISTRARS[group];
    if (!register || enabled.has(group)) return false;
    register(server, link);
    enabled.add(group);
    return true;
  };
  for (const group of groups) enable(group);
  setGroupEnabler(server, (group) => (GROUP_REGISTRARS[group] ? enable(group) : undefined));

  server.registerTool(
    'enable_tool_group',
    {
      title: 'Enable a tool group',
      description: `Expose another group of hivemesh tools for this session (groups: ${AVAILABLE_TOOL_GROUPS.filter((g) => g !== 'core').join(', ')}). The client is told the tool list changed.`,
      // A plain string, not an enum: a group this build lacks is answered with the list of those it has.
      inputSchema: z.object({ group: z.string().min(1).max(64).describe('The group to enable.') }),
      outputSchema: GroupsOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ group }) => {
      const available = AVAILABLE_TOOL_GROUPS;
      const known = available.find((g) => g === group);
      if (!known) return failure(unavailableGroup(group, available));
      const added = enable(known);
      if (added) server.sendToolListChanged();
      return ok(added ? `Enabled the ${group} tools.` : `The ${group} tools were already enabled.`, { enabled: [...enabled], available });
    },
  );
  return server;
}
