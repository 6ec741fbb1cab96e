import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MeshError } from '../errors.js';
import type { Mode, ModeState } from '../teams/modes.js';
import type { DaemonLink } from './DaemonLink.js';
import { failure } from './results.js';
import { sessionModeOf } from './sessionMode.js';

/**
 * Where a write tool's write goes:
 * - memory: a memory whose scope the session's mode narrows (store/update/delete/recover check it);
 * - mesh: documents every member holds (tasks, agents, incidents, runbooks, teams, erasures…), which
 *   no mode can narrow;
 * - vault: a vault document (every member replicates it; values sealed for the vault's members;
 *   vault and secret names in clear for the whole mesh);
 * - host: a file on this host only;
 * - session: this MCP session's own state (its mode, its project, its tool groups).
 */
export type WriteReach = 'memory' | 'mesh' | 'vault' | 'host' | 'session';

/**
 * Every write tool (annotation readOnlyHint not true) names its reach here; registering one that
 * does not is a startup error, so a new write tool cannot slip past the session's mode.
 */
export const WRITE_REACH: Readonly<Record<string, WriteReach>> = {
  store_memory: 'memory',
  update_memory: 'memory',
  delete_memory: 'memory',
  recover_deleted_memory: 'memory',
  merge_duplicate_memories: 'mesh',
  bulk_delete_memories: 'mesh',
  cleanup_expired_deletions: 'mesh',
  gdpr_delete_user_data: 'mesh',
  import_conversation: 'mesh',
  register_agent: 'mesh',
  delegate_task: 'mesh',
  broadcast_discovery: 'mesh',
  create_kanban_task: 'mesh',
  assign_kanban_task: 'mesh',
  update_kanban_task: 'mesh',
  delete_kanban_task: 'mesh',
  create_team: 'mesh',
  add_team_member: 'mesh',
  remove_team_member: 'mesh',
  generate_runbook: 'mesh',
  upload_playbook: 'mesh',
  track_infrastructure_state: 'mesh',
  record_health: 'mesh',
  record_issue: 'mesh',
  record_action: 'mesh',
  create_project: 'mesh',
  record_incident: 'mesh',
  update_incident: 'mesh',
  create_config_snapshot: 'mesh',
  sync_ssh_config: 'mesh',
  sync_infrastructure_config: 'mesh',
  create_vault: 'vault',
  store_in_vault: 'vault',
  delete_vault_secret: 'vault',
  share_vault: 'vault',
  revoke_vault_access: 'vault',
  gdpr_export_user_data: 'host',
  set_mode: 'session',
  switch_project_context: 'session',
  enable_tool_group: 'session',
};

/** Solo and team mode narrow memories; a write that cannot be narrowed (mesh or vault reach) is refused there. */
function refusal(mode: Mode, team: string | undefined, tool: string, reach: WriteReach): MeshError | undefined {
  if ((mode !== 'solo' && mode !== 'team') || (reach !== 'mesh' && reach !== 'vault')) return undefined;
  const where = reach === 'vault' ? 'a vault document every host replicates (its names in clear)' : 'documents every host of the mesh holds';
  const stays = mode === 'solo' ? 'its writes stay on this host' : `its writes stay in team ${team ?? '?'}`;
  return new MeshError('MODE_CONFLICT', `${tool} writes ${where}; this session is in ${mode} mode: ${stays}. set_mode ${reach === 'vault' ? 'vault or mesh' : 'mesh'} to make this write`, { mode, tool, reach });
}

type Structured = Record<string, unknown>;

/** The scope a successful write got, as its result says it: the memory's own scope for memory tools. */
function scopeOf(reach: WriteReach, s: Structured | undefined): string {
  if (reach === 'vault') {
    const vault = s?.['vault'] ?? s?.['name'];
    return typeof vault === 'string' ? `vault ${vault}` : 'vault';
  }
  if (reach !== 'memory') return reach;
  const m = (s?.['memory'] as Structured | undefined) ?? s;
  const scope = typeof m?.['scope'] === 'string' ? m['scope'] : undefined;
  const team = typeof m?.['team'] === 'string' ? m['team'] : undefined;
  return scope === undefined ? 'memory' : scope === 'team' && team ? `team ${team}` : scope;
}

/**
 * Makes every write tool registered on `server` honour the session's mode and say which scope it
 * got: a write the mode cannot narrow is refused in solo and team mode (MODE_CONFLICT), and every
 * successful write result carries `write_scope` and `mode` (structured) and a closing line (text).
 * Call before any tool is registered (after the input validation, so bad input is refused first).
 */
export function attachWriteScopes(server: McpServer, link: DaemonLink): void {
  const register = server.registerTool.bind(server) as (...args: unknown[]) => unknown;
  (server as { registerTool: unknown }).registerTool = (name: string, config: { annotations?: { readOnlyHint?: boolean } }, handler: (...args: unknown[]) => CallToolResult | Promise<CallToolResult>) => {
    if (config.annotations?.readOnlyHint === true) return register(name, config, handler);
    const reach = WRITE_REACH[name];
    if (reach === undefined) throw new Error(`write tool ${name} has no entry in WRITE_REACH (src/mcp/writeScopes.ts): say where its writes go`);
    return register(name, config, async (...args: unknown[]) => {
      const mode = sessionModeOf(link);
      let state: ModeState;
      try {
        state = await mode.get();
      } catch (err) {
        return failure(err);
      }
      const refused = refusal(state.mode, state.team, name, reach);
      if (refused) return failure(refused);
      const result = await handler(...args);
      if (result.isError) return result;
      const now = (await mode.get()).mode;
      const scope = scopeOf(reach, result.structuredContent);
      return {
        ...result,
        content: [...result.content, { type: 'text', text: `[write scope: ${scope}; session mode: ${now}]` }],
        structuredContent: { ...(result.structuredContent ?? {}), write_scope: scope, mode: now },
      };
    });
  };
}
