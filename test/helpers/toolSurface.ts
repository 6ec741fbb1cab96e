import { getTokenizer } from '@anthropic-ai/tokenizer';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { buildServer } from '../../src/mcp/buildServer.js';
import { compactToolListings } from '../../src/mcp/compactToolList.js';
import { DaemonLink } from '../../src/mcp/DaemonLink.js';
import type { ToolGroup } from '../../src/mcp/toolGroups.js';

/**
 * The size of what `tools/list` costs a client's context, per group.
 *
 * Two views of each tool: `model` is what Claude Code puts in the model's prompt (name,
 * description, input schema; it does not send titles, annotations or output schemas), `wire` is
 * the whole tools/list entry. Tokens are counted with @anthropic-ai/tokenizer (Anthropic's
 * published BPE, shipped in the package, runs offline); it is the tokenizer of older Claude
 * models, so `chars / 4` is reported beside it and budgets are checked against the larger of
 * the two, which keeps them honest if a newer tokenizer is less efficient. Budgets apply to the
 * wire view (see wireBudgetTokens).
 */
export interface ToolSize {
  name: string;
  descriptionBytes: number;
  modelChars: number;
  modelTokens: number;
  wireChars: number;
  wireTokens: number;
}

export interface GroupSize {
  group: ToolGroup;
  tools: ToolSize[];
  /** Sums over the group's tools. */
  modelChars: number;
  modelTokens: number;
  wireChars: number;
  wireTokens: number;
}

/** Budgets of issue 14: the default surface, each group, each description. */
export const DEFAULT_SURFACE_TOKEN_BUDGET = 3_000;
export const GROUP_TOKEN_BUDGET = 4_000;
export const DESCRIPTION_BYTE_BUDGET = 2_048;

/** Tokens of what the model sees (name, description, input schema), by the larger of the tokenizer's count and chars / 4 (see above). */
export function budgetTokens(size: { modelChars: number; modelTokens: number }): number {
  return Math.max(size.modelTokens, Math.ceil(size.modelChars / 4));
}

/**
 * Tokens of the whole tools/list entries, the same way: what the budgets are checked against,
 * because the figures (core 4.4k, all 9.8k) measure the whole entries and some clients
 * do show them whole.
 */
export function wireBudgetTokens(size: { wireChars: number; wireTokens: number }): number {
  return Math.max(size.wireTokens, Math.ceil(size.wireChars / 4));
}

/** One tokenizer for the process: building it (a 1 MB BPE table) costs far more than counting. */
let tokenizer: ReturnType<typeof getTokenizer> | undefined;
function countTokens(text: string): number {
  tokenizer ??= getTokenizer();
  return tokenizer.encode(text.normalize('NFKC'), 'all').length;
}

function sizeOf(tool: Tool): ToolSize {
  const model = JSON.stringify({ name: tool.name, description: tool.description ?? '', input_schema: tool.inputSchema });
  const wire = JSON.stringify(tool);
  return {
    name: tool.name,
    descriptionBytes: Buffer.byteLength(tool.description ?? ''),
    modelChars: model.length,
    modelTokens: countTokens(model),
    wireChars: wire.length,
    wireTokens: countTokens(wire),
  };
}

/** The tools a server built with exactly these groups lists, through a real MCP client. */
export async function listTools(groups: ToolGroup[]): Promise<Tool[]> {
  // The link is never called: listing tools does not touch the daemon.
  const link = new DaemonLink('/nonexistent-home', () => 'tool-surface');
  const server = buildServer(link, new Set(groups), '0.0.0');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'tool-surface', version: '0.0.0' });
  // Exactly as `mesh mcp` connects its stdio transport.
  await server.connect(compactToolListings(serverSide));
  await client.connect(clientSide);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
    await server.close();
    link.close();
  }
}

/**
 * One group's tools alone. `enable_tool_group` is always listed; it is counted with core, the
 * group that is always exposed.
 */
export async function groupSize(group: ToolGroup): Promise<GroupSize> {
  const tools = (await listTools([group])).filter((t) => group === 'core' || t.name !== 'enable_tool_group').map(sizeOf);
  const sum = (k: 'modelChars' | 'modelTokens' | 'wireChars' | 'wireTokens') => tools.reduce((n, t) => n + t[k], 0);
  return { group, tools, modelChars: sum('modelChars'), modelTokens: sum('modelTokens'), wireChars: sum('wireChars'), wireTokens: sum('wireTokens') };
}
