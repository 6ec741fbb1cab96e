import { describe, expect, it } from 'vitest';
import type { RosterEntry } from '../../../src/domain/Agent.js';
import { chooseAgent } from '../../../src/domain/delegation.js';

function agent(id: string, over: Partial<RosterEntry>): RosterEntry {
  const t = '2026-12-02T08:00:00.000Z';
  return {
    id,
    role: 'sre',
    description: '',
    capabilities: [],
    declared_capabilities: [],
    capability_groups: [],
    machine: `${id}-host`,
    client: 'test',
    session: id,
    registered_at: t,
    last_seen: t,
    last_active: t,
    ended_at: null,
    inbox_read_at: 0,
    format_version: 1,
    status: 'active',
    heartbeat_age_s: 1,
    open_tasks: 0,
    ...over,
  };
}

describe('delegation', () => {
  it('picks a live agent with every capability, skipping offline and incapable ones, and says why', () => {
    const roster = [
      agent('gone', { capabilities: ['elasticsearch', 'kibana'], status: 'offline' }),
      agent('partial', { capabilities: ['elasticsearch'] }),
      agent('able', { capabilities: ['kibana', 'elasticsearch', 'k8s'], open_tasks: 2 }),
    ];
    const choice = chooseAgent(roster, ['Elasticsearch', 'kibana']);
    expect(choice.chosen?.id).toBe('able');
    expect(choice.reason).toMatch(/chose able .*has elasticsearch, kibana.*skipped gone \(offline\), partial \(lacks kibana\)/);
    expect(choice.candidates.find((c) => c.agent === 'partial')).toMatchObject({ eligible: false, missing_capabilities: ['kibana'] });
  });

  it('prefers active to idle, then the lightest load, then the most recent call, then the smaller id', () => {
    const caps = { capabilities: ['db'] };
    expect(chooseAgent([agent('busy', { ...caps, open_tasks: 3 }), agent('free', { ...caps, open_tasks: 0 })], ['db']).chosen?.id).toBe('free');
    expect(chooseAgent([agent('idler', { ...caps, status: 'idle' }), agent('worker', { ...caps, open_tasks: 5 })], ['db']).chosen?.id).toBe('worker');
    const recent = agent('recent', { ...caps, last_active: '2026-12-02T09:00:00.000Z' });
    expect(chooseAgent([agent('older', caps), recent], ['db']).chosen?.id).toBe('recent');
    expect(chooseAgent([agent('b', caps), agent('a', caps)], ['db']).chosen?.id).toBe('a');
  });

  it('leaves the task unassigned when nobody matches, naming who was skipped', () => {
    const none = chooseAgent([agent('x', { capabilities: ['db'], status: 'offline' })], ['db']);
    expect(none.chosen).toBeUndefined();
    expect(none.reason).toMatch(/no live agent with db; skipped x \(offline\); the task stays unassigned/);
    expect(chooseAgent([], []).reason).toMatch(/roster is empty/);
  });
});
