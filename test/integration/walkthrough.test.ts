import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MESH_BIN, mesh, shellLine } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

const README = join(import.meta.dirname, '..', '..', 'README.md');

/** The README's walkthrough block, as a newcomer copies it: the sh block between the walkthrough markers. */
function walkthrough(): string[] {
  const text = readFileSync(README, 'utf8');
  const block = /<!-- walkthrough[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- \/walkthrough -->/.exec(text);
  if (!block) throw new Error('README.md has no <!-- walkthrough --> sh block');
  return block[1]!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe('newcomer walk-through (README)', () => {
  const root = tmpHome('mh-walk-');
  afterAll(async () => {
    // Whatever the README did, no daemon outlives the test.
    for (const name of readdirSync(root.dir)) if (existsSync(join(root.dir, name, 'daemon.sock'))) await mesh(['stop', '--home', join(root.dir, name)]);
    root.cleanup();
  });

  it('two homes from nothing to a shared memory, using only the README commands', { timeout: 120_000 }, async () => {
    const lines = walkthrough();
    const stored = lines.map((l) => /^mesh store "([^"]+)"/.exec(l)?.[1]).find(Boolean);
    expect(stored, 'the walkthrough stores a memory').toBeDefined();
    expect(lines.some((l) => l.includes('mesh join "$(mesh invite'))).toBe(true);

    // `mesh` on the PATH (what `npm link` gives), HOME a fresh directory; the default listen port,
    // so the second home meets the first one's port. No tailnet/mDNS discovery in a test.
    const bin = join(root.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'mesh'), `#!/bin/sh\nexec "${process.execPath}" "${MESH_BIN}" "$@"\n`);
    chmodSync(join(bin, 'mesh'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: root.dir, PATH: `${bin}:${process.env['PATH'] ?? ''}`, MESH_NO_DISCOVERY: '1', MESH_LOG: 'warn' };
    delete env['MESH_P2P_LISTEN'];
    delete env['MESH_HOME'];

    const outputs: string[] = [];
    for (const line of lines) {
      const r = await shellLine(line, env);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      outputs.push(r.stdout);
    }
    const search = lines.findIndex((l) => l.startsWith('mesh search'));
    expect(search).toBeGreaterThan(lines.findIndex((l) => l.startsWith('mesh sync')));
    expect(outputs[search]).toContain(stored!);
  });
});
