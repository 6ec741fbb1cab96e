import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HclWorker } from '../../../src/devops/hclWorker.js';

/**
 * `@cdktn/hcl2json` rethrows a failed WebAssembly start as an unhandled rejection and parses
 * synchronously; on the daemon's thread the first would end the daemon and a hung parse would hold
 * it. Stand-in modules (the real parser cannot be made to fail to start) show both end at the worker.
 */
describe('the HCL parser worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcl-worker-'));
  const module = (name: string, source: string) => {
    const path = join(dir, name);
    writeFileSync(path, source);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a parser whose start fails unhandled fails the parse, not this process', async () => {
    const broken = new HclWorker(module('broken.cjs', "Promise.reject(new Error('WebAssembly.instantiate(): out of memory'));\nmodule.exports = { parse: () => new Promise(() => {}) };"));
    await expect(broken.parse('playbook.tf', 'resource "x" "y" {}', 10_000)).rejects.toThrow(/the Terraform parser stopped: .*out of memory/);
    await broken.stop();
  });

  it('a parse that never answers is stopped at the timeout, and the next parse gets a fresh parser', async () => {
    // A synchronous endless loop, like a parser stuck in its own code: only terminating the worker stops it.
    const spinning = new HclWorker(module('spinning.cjs', "module.exports = { parse: (_f, c) => { if (c === 'spin') for (;;) {} return Promise.resolve({ parsed: c }); } };"));
    await expect(spinning.parse('playbook.tf', 'spin', 1_000)).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(spinning.parse('playbook.tf', 'fine', 10_000)).resolves.toEqual({ parsed: 'fine' });
    await spinning.stop();
  });

  it('an idle parser does not keep its process alive', () => {
    // Adding a 'message' listener refs a worker again: unref'd before its listeners, it held `mesh`'s process open after its work.
    const fine = module('fine.cjs', 'module.exports = { parse: (_f, c) => Promise.resolve({ parsed: c }) };');
    const script = `import { HclWorker } from ${JSON.stringify(new URL('../../../src/devops/hclWorker.ts', import.meta.url).pathname)};
console.log(JSON.stringify(await new HclWorker(${JSON.stringify(fine)}).parse('playbook.tf', 'x', 10000)));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', module('uses-parser.mjs', script)], { encoding: 'utf8', timeout: 30_000 });
    expect(r.error?.message ?? '', r.stderr).toBe('');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('{"parsed":"x"}');
  }, 60_000);
});
