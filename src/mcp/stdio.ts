import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from '../log.js';
import { buildServer } from './buildServer.js';
import { compactToolListings } from './compactToolList.js';
import { DaemonLink } from './DaemonLink.js';
import { parseToolGroups } from './toolGroups.js';

/**
 * `mesh mcp`: an MCP server on stdin/stdout for one Claude Code session, backed by the home's
 * daemon (started in the background when none runs). stdout carries only protocol messages.
 */
export async function runStdioServer(opts: { home: string; logger: Logger; version: string }): Promise<void> {
  const { groups, unknown } = parseToolGroups(process.env['MESH_TOOLS']);
  if (unknown.length) opts.logger.warn({ unknown }, 'MESH_TOOLS names unknown tool groups; ignoring them');
  let agent = 'mcp-client';
  const link = new DaemonLink(opts.home, () => agent);
  const server = buildServer(link, groups, opts.version);
  server.server.oninitialized = () => {
    const client = server.server.getClientVersion();
    if (client) agent = `${client.name}${client.version ? `@${client.version}` : ''}`;
    opts.logger.info({ agent, session: link.session }, 'mcp session initialised');
  };
  const transport = compactToolListings(new StdioServerTransport());
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  process.stdin.on('end', () => void server.close());
  await server.connect(transport);
  // Warm the daemon connection so the first tool call does not pay for starting it.
  void link.call('daemon.ping', {}).catch((err: unknown) => opts.logger.warn({ err: (err as Error).message }, 'daemon not reachable yet'));
  await closed;
  link.close();
}
