import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolGroup } from './toolGroups.js';

/**
 * How a tool enables another group for its session (vault mode opens the vault tools): the
 * server's own `enable`, registered by buildServer. Returns whether the group was newly added;
 * undefined when this build lacks the group.
 */
export type GroupEnabler = (group: ToolGroup) => boolean | undefined;

const enablers = new WeakMap<McpServer, GroupEnabler>();

export function setGroupEnabler(server: McpServer, enable: GroupEnabler): void {
  enablers.set(server, enable);
}

export function groupEnablerOf(server: McpServer): GroupEnabler | undefined {
  return enablers.get(server);
}
