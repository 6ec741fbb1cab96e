import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { MAX_MCP_LINE_BYTES } from '../constants.js';
import type { Logger } from '../log.js';
import { AVAILABLE_TOOL_GROUPS, buildServer } from './buildServer.js';
import { compactToolListings } from './compactToolList.js';
import { DaemonLink } from './DaemonLink.js';
import { parseToolGroups } from './toolGroups.js';
import { RequestLineLimiter, type OversizedLine } from './RequestLineLimiter.js';

/** Room above our line limit in the SDK's read buffer: a whole line plus a read chunk. */
const SDK_BUFFER_SLACK_BYTES = 1024 * 1024;

/**
 * `mesh mcp`: an MCP server on stdin/stdout for one Claude Code session, backed by the home's
 * daemon (started in the background when none runs). stdout carries only protocol messages.
 */
export async function runStdioServer(opts: { home: string; logger: Logger; version: string }): Promise<void> {
  const groups = parseToolGroups(process.env['MESH_TOOLS'], AVAILABLE_TOOL_GROUPS);
  let agent = 'mcp-client';
  const link = new DaemonLink(opts.home, () => agent);
  const server = buildServer(link, groups, opts.version);
  server.server.oninitialized = () => {
    const client = server.server.getClientVersion();
    if (client) agent = `${client.name}${client.version ? `@${client.version}` : ''}`;
    opts.logger.info({ agent, session: link.session }, 'mcp session initialised');
  };
  // Lines past our limit are answered here, so the SDK's read buffer never overflows and closes the session.
  const input = new RequestLineLimiter(MAX_MCP_LINE_BYTES, (line) => {
    opts.logger.warn({ bytes: line.bytes }, 'refused an MCP request line over the size limit');
    process.stdout.write(oversizedReply(line));
  });
  process.stdin.pipe(input);
  const transport = compactToolListings(new StdioServerTransport(input, process.stdout, { maxBufferSize: MAX_MCP_LINE_BYTES + SDK_BUFFER_SLACK_BYTES }));
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  input.on('end', () => void server.close());
  await server.connect(transport);
  // Warm the daemon connection so the first tool call does not pay for starting it.
  void link.call('daemon.ping', {}).catch((err: unknown) => opts.logger.warn({ err: (err as Error).message }, 'daemon not reachable yet'));
  await closed;
  link.close();
}

/** The answer to a request we could not read: a tool error for a tool call (so the model sees it), else a JSON-RPC error. */
function oversizedReply(line: OversizedLine): string {
  const reason = `INVALID_INPUT: request of ${line.bytes} bytes exceeds the ${MAX_MCP_LINE_BYTES}-byte limit of mesh mcp; send less at once`;
  const message =
    line.toolCall && line.id !== null
      ? { jsonrpc: '2.0', id: line.id, result: { content: [{ type: 'text', text: reason }], isError: true } }
      : { jsonrpc: '2.0', id: line.id, error: { code: -32600, message: reason } };
  return `${JSON.stringify(message)}\n`;
}
