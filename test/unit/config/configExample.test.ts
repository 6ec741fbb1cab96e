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
});
