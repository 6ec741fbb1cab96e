import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, Tool } from '@modelcontextprotocol/sdk/types.js';

/**
 * Every tool a client lists costs context in its model's prompt, on every turn. The SDK's
 * `tools/list` answer carries parts that say nothing a client needs, repeated per tool: each
 * schema's `$schema` URI, `additionalProperties: {}` (the JSON Schema default), the recursive
 * definitions of "any JSON value" (the same as no schema), and `execution: {taskSupport:
 * "forbidden"}` (the default), the regex zod adds beside a `format`, behaviour hints equal to
 * their defaults. They are dropped from the answer; the schemas keep their meaning
 * and the server still validates every call against the full zod schema.
 */
export function compactTool(tool: Tool): Tool {
  const out: Tool = { ...tool, inputSchema: compactSchema(tool.inputSchema) as Tool['inputSchema'] };
  if (tool.outputSchema) out.outputSchema = compactSchema(tool.outputSchema) as Tool['outputSchema'];
  if (isDefaultExecution(tool.execution)) delete out.execution;
  if (tool.annotations) out.annotations = compactAnnotations(tool.annotations);
  return out;
}

/** The MCP defaults of the behaviour hints: a hint equal to its default says nothing. */
const HINT_DEFAULTS = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const;

/**
 * Drops hints equal to their defaults, and the destructive and idempotent hints of a read-only
 * tool, which the MCP specification says are meaningful only when a tool writes.
 */
function compactAnnotations(annotations: NonNullable<Tool['annotations']>): NonNullable<Tool['annotations']> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(annotations)) {
    // destructiveHint: true stays: it is the one hint a client acts on (asking before the call).
    if (key in HINT_DEFAULTS && key !== 'destructiveHint' && HINT_DEFAULTS[key as keyof typeof HINT_DEFAULTS] === value) continue;
    if (annotations.readOnlyHint === true && (key === 'destructiveHint' || key === 'idempotentHint')) continue;
    out[key] = value;
  }
  return out;
}

/** Makes `transport` send compact `tools/list` answers; other messages go out unchanged. */
export function compactToolListings<T extends Transport>(transport: T): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(compactMessage(message), options);
  return transport;
}

function compactMessage(message: JSONRPCMessage): JSONRPCMessage {
  // Only a tools/list answer has a `tools` array in its result (the server answers no other list of tools).
  if (!('result' in message) || !Array.isArray((message.result as { tools?: unknown }).tools)) return message;
  const result = message.result as { tools: Tool[] };
  return { ...message, result: { ...result, tools: result.tools.map(compactTool) } };
}

function isDefaultExecution(execution: Tool['execution']): boolean {
  return execution !== undefined && Object.keys(execution).length === 1 && execution.taskSupport === 'forbidden';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The "any JSON value" definition zod emits for z.json(): recursive, and no constraint at all. */
const ANY_JSON_REF = /^#\/definitions\/__schema\d+$/;

function compactSchema(schema: object): object {
  const definitions = (schema as { definitions?: Record<string, Json> }).definitions ?? {};
  const anyJson = new Set(Object.keys(definitions).filter((name) => isAnyJson(definitions[name])));
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema') continue;
      if (key === 'additionalProperties' && isEmptyObject(value)) continue;
      // zod spells each `format` (date-time…) out again as a long regex: the format says it.
      if (key === 'pattern' && typeof node['format'] === 'string') continue;
      // JSON object keys are strings anyway.
      if (key === 'propertyNames' && isStringType(value)) continue;
      if (key === 'definitions' && node === (schema as Json)) {
        const kept = Object.fromEntries(Object.entries(definitions).filter(([name]) => !anyJson.has(name)).map(([name, d]) => [name, walk(d)]));
        if (Object.keys(kept).length) out[key] = kept;
        continue;
      }
      // A reference to "any JSON value" becomes no constraint: `{}` (keeping the description beside it).
      if (key === 'additionalProperties' && isAnyJsonRef(value, anyJson)) continue;
      out[key] = walk(value);
    }
    return out;
  };
  return walk(schema as Json) as object;
}

function isEmptyObject(value: Json | undefined): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

function isStringType(value: Json | undefined): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && value['type'] === 'string';
}

function isAnyJsonRef(value: Json | undefined, anyJson: Set<string>): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const ref = value['$ref'];
  return typeof ref === 'string' && ANY_JSON_REF.test(ref) && anyJson.has(ref.split('/').pop()!);
}

/** The shape zod gives z.json(): anyOf string, number, boolean, null, array of itself, record of itself. */
function isAnyJson(definition: Json | undefined): boolean {
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) return false;
  const anyOf = definition['anyOf'];
  if (!Array.isArray(anyOf)) return false;
  const types = anyOf.map((branch) => (branch !== null && typeof branch === 'object' && !Array.isArray(branch) ? branch['type'] : undefined));
  return ['string', 'number', 'boolean', 'null', 'array', 'object'].every((t) => types.includes(t)) && anyOf.length === 6;
}
