import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AVAILABLE_TOOL_GROUPS, buildServer } from '../../../src/mcp/buildServer.js';
import { DaemonLink } from '../../../src/mcp/DaemonLink.js';
import { attachWriteScopes, WRITE_REACH } from '../../../src/mcp/writeScopes.js';

interface Registered {
  annotations?: { readOnlyHint?: boolean };
}

/** A link to a home with no daemon: nothing here calls it (registration only). */
const idleLink = () => new DaemonLink('/nonexistent-home', () => 'unit');

describe('every write tool says where its writes go (issue 12: modes)', () => {
  it('every write tool of every group has a reach, and the table names no tool that does not exist', () => {
    const server = buildServer(idleLink(), new Set(AVAILABLE_TOOL_GROUPS), 'test');
    const tools = (server as unknown as { _registeredTools: Record<string, Registered> })._registeredTools;
    const writes = Object.entries(tools)
      .filter(([, t]) => t.annotations?.readOnlyHint !== true)
      .map(([name]) => name)
      .sort();
    expect(writes.length).toBeGreaterThan(30);
    expect(Object.keys(WRITE_REACH).sort()).toEqual(writes);
  });

  it('registering a write tool with no reach fails at startup, a read tool needs none', () => {
    const server = new McpServer({ name: 't', version: '0' });
    attachWriteScopes(server, idleLink());
    const handler = () => ({ content: [] });
    expect(() => server.registerTool('reads_things', { inputSchema: z.object({}), annotations: { readOnlyHint: true } }, handler)).not.toThrow();
    expect(() => server.registerTool('writes_somewhere', { inputSchema: z.object({}), annotations: { readOnlyHint: false } }, handler)).toThrow(/writes_somewhere has no entry in WRITE_REACH/);
    expect(() => server.registerTool('unannotated', { inputSchema: z.object({}) }, handler)).toThrow(/unannotated has no entry/);
  });
});
