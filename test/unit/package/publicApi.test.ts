import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(dirname(new URL(import.meta.url).pathname), '../../..');

describe('the package entry point', () => {
  it('package.json main resolves to the built public API, which exports the daemon client and errors', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    const entry = createRequire(join(root, 'package.json')).resolve(`./${pkg.main}`);
    const api = (await import(entry)) as Record<string, unknown>;
    expect(typeof api.DaemonClient).toBe('function');
    expect(typeof api.MeshError).toBe('function');
    expect(api.SCOPES).toEqual(['mesh', 'team', 'private']);
  });
});
