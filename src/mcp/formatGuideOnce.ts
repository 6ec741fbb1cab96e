import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FORMAT_GUIDE } from '../domain/lifecycle/formatGuide.js';

/**
 * A session's first successful tool result carries the memory format guide, once, so an agent
 * that never asks for it still writes dense memories; a session that called get_format_guide
 * first is not told twice. Applies to every tool registered after this call.
 */
export function attachFormatGuideOnce(server: McpServer): void {
  let seen = false;
  const register = server.registerTool.bind(server) as (...args: unknown[]) => unknown;
  (server as { registerTool: unknown }).registerTool = (name: string, config: unknown, handler: (...args: unknown[]) => CallToolResult | Promise<CallToolResult>) =>
    register(name, config, async (...args: unknown[]) => {
      const result = await handler(...args);
      if (seen || result.isError) return result;
      seen = true;
      if (name === 'get_format_guide') return result;
      return { ...result, content: [...result.content, { type: 'text', text: `\n${FORMAT_GUIDE}\n(shown once per session; get_format_guide repeats it)` }] };
    });
}
