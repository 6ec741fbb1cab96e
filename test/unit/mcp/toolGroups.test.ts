import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { parseToolGroups, unavailableGroup } from '../../../src/mcp/toolGroups.js';

describe('tool groups', () => {
  const available = ['core', 'lifecycle', 'agents', 'kanban'] as const;

  it('parses MESH_TOOLS into groups this build has', () => {
    expect([...parseToolGroups(undefined, available)]).toEqual(['core']);
    expect([...parseToolGroups('all', available)]).toEqual([...available]);
    expect([...parseToolGroups(' kanban, agents ', available)]).toEqual(['core', 'kanban', 'agents']);
  });

  it('refuses a group the build lacks, or does not know, with the list of available groups', () => {
    for (const name of ['vault', 'bogus']) {
      let caught: unknown;
      try {
        parseToolGroups(`core,${name}`, available);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(MeshError);
      expect((caught as MeshError).code).toBe('INVALID_INPUT');
      expect((caught as MeshError).message).toMatch(new RegExp(`^MESH_TOOLS: .*"${name}".*available: core, lifecycle, agents, kanban`));
    }
    expect(unavailableGroup('vault', available).message).toMatch(/not in this build/);
    expect(unavailableGroup('bogus', available).message).toMatch(/unknown tool group/);
  });
});
