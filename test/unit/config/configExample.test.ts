import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, MeshConfigSchema } from '../../../src/config/MeshConfig.js';

describe('configuration', () => {
  it('config/config.example.json documents valid keys only', () => {
    const example: unknown = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'config', 'config.example.json'), 'utf8'));
    expect(MeshConfigSchema.safeParse(example).success).toBe(true);
  });

  it('rejects a typo, naming the field', () => {
    const r = MeshConfigSchema.safeParse({ retentionDay: 3 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('retentionDay');
  });

  it('embedded defaults: loopback-or-tailnet listen, discovery on, bundled model', () => {
    expect(defaultConfig()).toMatchObject({ listen: [], retentionDays: 30, discovery: { tailscale: true, mdns: false, port: 7411 }, embedding: { enabled: true } });
  });

  it('allows no distributed config file by default', () => {
    expect(defaultConfig().distribution).toEqual({ allow: [] });
    expect(MeshConfigSchema.safeParse({ distribution: { allow: [{ path: '/etc/x', exec: true }] } }).success).toBe(false);
  });
});

describe('capability groups', () => {
  it('the shipped seed parses and maps machine names to groups, case-insensitively', async () => {
    const { capabilitiesForMachine, defaultCapabilityGroups } = await import('../../../src/config/capabilityGroups.js');
    const groups = defaultCapabilityGroups();
    expect(groups.map((g) => g.name)).toEqual(['orchestrators', 'elasticsearch', 'databases', 'scrapers', 'dev-environments', 'monitoring']);
    expect(capabilitiesForMachine(groups, 'ES-03').groups).toEqual(['elasticsearch']);
    expect(capabilitiesForMachine(groups, 'pg-replica-2').capabilities).toContain('sql');
    expect(capabilitiesForMachine(groups, 'anna-laptop').groups).toEqual(['dev-environments']);
    expect(capabilitiesForMachine(groups, 'grafana-1').capabilities).toEqual(['monitoring', 'alerting', 'metrics', 'logs']);
    expect(capabilitiesForMachine(groups, 'mail-relay')).toEqual({ groups: [], capabilities: [] });
  });

  it('a roster config whose offline threshold does not exceed the heartbeat is refused', () => {
    expect(MeshConfigSchema.safeParse({ roster: { heartbeatSeconds: 60, offlineAfterSeconds: 30 } }).success).toBe(false);
  });
});
