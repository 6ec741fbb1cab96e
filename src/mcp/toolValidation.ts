import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MAX_INPUT_DEPTH } from '../constants.js';
import { InvalidInputError } from '../errors.js';
import { describeShapeProblem, findShapeProblem } from '../domain/inputShape.js';
import { formatZodError } from '../domain/zodErrors.js';
import { failure } from './results.js';

type Handler = (args: unknown, extra: unknown) => CallToolResult | Promise<CallToolResult>;
type ToolConfig = { inputSchema?: unknown } & Record<string, unknown>;
type Register = (name: string, config: ToolConfig, handler: Handler) => unknown;

/**
 * Makes every tool registered on `server` validate its own input, so a bad argument comes back as
 * a tool error a model can correct (`isError`, "INVALID_INPUT: field: reason", the same text the
 * daemon gives), as the MCP spec asks, instead of the SDK's protocol-style message, and so a deeply
 * nested argument is refused before any recursive validator runs.
 *
 * The SDK validates against the registered schema before calling a handler, and advertises that
 * same schema. So each tool is registered with a schema that accepts any object but carries the
 * real schema's JSON Schema (zod merges `.meta()` into the generated JSON Schema); the handler
 * then parses with the real schema. Call before any tool is registered.
 */
export function validateToolInputsOurselves(server: McpServer): void {
  const register = server.registerTool.bind(server) as unknown as Register;
  const patched: Register = (name, config, handler) => {
    if (config.inputSchema === undefined) return register(name, config, handler);
    const real = asSchema(config.inputSchema);
    const advertised = z.toJSONSchema(real, { io: 'input' });
    // additionalProperties: undefined drops the loose object's own "any extra key" from the merge.
    const permissive = z.looseObject({}).meta({ ...advertised, additionalProperties: advertised['additionalProperties'] });
    return register(name, { ...config, inputSchema: permissive }, async (args, extra) => {
      const problem = findShapeProblem(args, { depth: MAX_INPUT_DEPTH });
      if (problem) return failure(new InvalidInputError(describeShapeProblem(problem)));
      const parsed = await real.safeParseAsync(args ?? {});
      if (!parsed.success) return failure(new InvalidInputError(formatZodError(parsed.error)));
      return handler(parsed.data, extra);
    });
  };
  server.registerTool = patched as unknown as McpServer['registerTool'];
}

/** Tools pass a zod object, or (SDK style) a raw shape of zod fields. */
function asSchema(input: unknown): z.ZodType {
  if (input instanceof z.ZodType) return input;
  return z.object(input as z.ZodRawShape);
}
