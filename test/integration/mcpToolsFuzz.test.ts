import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, errorText, mcpClient } from '../helpers/cli.js';
import { fuzzParams } from '../helpers/fuzzParams.js';
import { tmpHome } from '../helpers/tmpHome.js';

/** One call must end (a result, a tool error or a protocol error) within this, or the server hung. */
const CALL_LIMIT_MS = 20_000;
/** Cases per run: every tool several times with near-valid arguments, bounded for CI. */
const CASES = 150;

/** A value of any JSON shape, small, with the strings that break parsers and paths. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '__proto__', 'constructor', 'x'.repeat(70_000), '💥'.repeat(500), -1, 0, 1e308, Number.NaN, null, true, [], {}),
);

/**
 * Item 3 of issue 16, the MCP part: every tool of every group, through the real MCP server (`mesh
 * mcp` over stdio, the SDK client, a real daemon behind it), called with arguments made from its
 * own input schema with fields replaced by anything, dropped, or added. Each call must end within
 * the limit with a result, a tool error whose text starts with an upper-case code (`CODE: …`, not
 * INTERNAL), or
 * a protocol error (invalid params); never a hang, never an internal error, and the server and the
 * daemon still answer a well-formed call afterwards.
 */
describe('MCP tool inputs, fuzzed through the real server', () => {
  const home = tmpHome('mh-mcpfuzz-');
  let client: Client;
  let tools: Tool[] = [];

  beforeAll(async () => {
    client = await mcpClient(home.dir, 'fuzzer', { MESH_TOOLS: 'all' });
    tools = (await client.listTools()).tools;
  }, 120_000);
  afterAll(async () => {
    await client?.callTool({ name: 'store_memory', arguments: { content: 'x' } }).catch(() => undefined);
    await client?.close();
    // The daemon `mesh mcp` started in the background: stop it through the CLI.
    const { mesh } = await import('../helpers/cli.js');
    await mesh(['stop', '--home', home.dir]).catch(() => undefined);
    home.cleanup();
  });

  it('every call ends with a result or a coded error, and the server keeps serving', { timeout: 600_000 }, async () => {
    expect(tools.length).toBeGreaterThan(10);
    const outcomes: Record<string, number> = {};
    const argsFor = (tool: Tool) => {
      const props = Object.keys((tool.inputSchema as { properties?: Record<string, unknown> }).properties ?? {});
      return fc.record({
        keep: fc.subarray(props),
        replaced: fc.dictionary(props.length ? fc.constantFrom(...props) : fc.string(), anyValue, { maxKeys: 3 }),
        extra: fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 2 }),
      });
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: tools.length - 1 }).chain((i) => fc.tuple(fc.constant(tools[i]!), argsFor(tools[i]!))),
        async ([tool, { keep, replaced, extra }]) => {
          const args: Record<string, unknown> = { ...extra };
          for (const k of keep) args[k] = 'x';
          Object.assign(args, replaced);
          // Tools that write or read a file take an absolute path by design (the agent is the local
          // user); keep any string path inside the test home so a fuzzed path never touches the machine.
          if (typeof args.path === 'string') args.path = join(home.dir, 'fuzz', args.path.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'p');
          let timer: NodeJS.Timeout | undefined;
          const limit = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${tool.name} hung on ${JSON.stringify(args).slice(0, 300)}`)), CALL_LIMIT_MS);
          });
          try {
            const r = await Promise.race([callTool(client, tool.name, args), limit]);
            if (r.isError) {
              const text = errorText(r);
              expect(text, `${tool.name} ${JSON.stringify(args).slice(0, 300)}`).toMatch(/^[A-Z][A-Z_]+: /);
              // A plain Error thrown anywhere behind a tool comes back as `INTERNAL: …` (toMeshError), which the
              // pattern above accepts: an unexpected failure is not a coded refusal.
              expect(text, `${tool.name} ${JSON.stringify(args).slice(0, 300)}`).not.toMatch(/^INTERNAL: /);
              outcomes[`error ${text.split(':')[0]}`] = (outcomes[`error ${text.split(':')[0]}`] ?? 0) + 1;
            } else outcomes.ok = (outcomes.ok ?? 0) + 1;
          } catch (err) {
            const e = err as { code?: number; message: string };
            // A protocol error for bad params is a clear error; an internal error (-32603) or a hang is not.
            expect(e.code, `${tool.name} ${JSON.stringify(args).slice(0, 300)}: ${e.message}`).toBe(-32602);
            outcomes['invalid params'] = (outcomes['invalid params'] ?? 0) + 1;
          } finally {
            clearTimeout(timer);
          }
        },
      ),
      fuzzParams(CASES),
    );
    process.stderr.write(`[mcp fuzz] ${tools.length} tools, outcomes ${JSON.stringify(outcomes)}\n`);
    const after = await callTool(client, 'store_memory', { content: 'still serving after the fuzz', category: 'project' });
    expect(after.isError, errorText(after)).toBeFalsy();
  });
});
