import { describe, expect, it } from 'vitest';
import { TOOL_GROUPS } from '../../../src/mcp/toolGroups.js';
import { compactTool } from '../../../src/mcp/compactToolList.js';
import { DEFAULT_SURFACE_TOKEN_BUDGET, DESCRIPTION_BYTE_BUDGET, GROUP_TOKEN_BUDGET, groupSize, listTools, wireBudgetTokens } from '../../helpers/toolSurface.js';

describe('the tools/list surface fits the budgets of issue 14', () => {
  it('the default surface (core) stays within 3k tokens', async () => {
    const core = await groupSize('core');
    expect(core.tools.length).toBeGreaterThan(10);
    expect(wireBudgetTokens(core), `core: ${core.wireTokens} tokens, ${core.wireChars} chars`).toBeLessThanOrEqual(DEFAULT_SURFACE_TOKEN_BUDGET);
  });

  it('no group is over 4k tokens and no description over 2 KB', async () => {
    for (const group of TOOL_GROUPS) {
      const size = await groupSize(group);
      expect(wireBudgetTokens(size), `${group}: ${size.wireTokens} tokens, ${size.wireChars} chars`).toBeLessThanOrEqual(GROUP_TOKEN_BUDGET);
      for (const tool of size.tools) expect(tool.descriptionBytes, tool.name).toBeLessThanOrEqual(DESCRIPTION_BYTE_BUDGET);
    }
  });
});

describe('compactTool', () => {
  it('drops only what carries no meaning: schema URIs, default hints, regexes beside a format, any-JSON definitions', async () => {
    const tools = await listTools(['core']);
    const search = tools.find((t) => t.name === 'search_memories')!;
    const text = JSON.stringify(tools);
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('taskSupport');
    expect(text).not.toContain('__schema');
    expect(search.inputSchema.required).toEqual(['query']);
    expect(search.inputSchema.properties!['since']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(search.annotations).toEqual({ readOnlyHint: true, openWorldHint: false });
    const del = tools.find((t) => t.name === 'delete_memory')!;
    expect(del.annotations).toMatchObject({ destructiveHint: true, openWorldHint: false });
    const store = tools.find((t) => t.name === 'store_memory')!;
    expect(store.inputSchema.properties!['metadata']).toMatchObject({ type: 'object' });
    expect(store.annotations).toMatchObject({ destructiveHint: false });
  });

  it('keeps definitions other than the any-JSON one, and leaves a schema without extras as it is', () => {
    const tool = {
      name: 't',
      inputSchema: {
        type: 'object' as const,
        properties: { a: { $ref: '#/definitions/node' } },
        definitions: { node: { type: 'object', properties: { next: { $ref: '#/definitions/node' } } } },
      },
    };
    expect(compactTool(tool)).toEqual(tool);
  });
});
