import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the dashboard's browser tests in a child vitest with the given environment. */
function runBrowserTests(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/ui/dashboard.test.ts'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/**
 * How the browser tests find their browser: MESH_CHROMIUM or /usr/bin/chromium. A machine without
 * one skips them with a banner; under CI=true they run, and fail.
 */
describe('the dashboard browser tests without a browser', () => {
  const missing = '/nonexistent/chromium-for-this-test';

  it('fail under CI=true instead of skipping', async () => {
    const r = await runBrowserTests({ CI: 'true', MESH_CHROMIUM: missing });
    expect(r.code, r.output.slice(-2000)).not.toBe(0);
    expect(r.output).toContain(`executable doesn't exist at ${missing}`);
    expect(r.output).not.toContain('SKIPPING');
  });

  it('are skipped elsewhere, saying so loudly', async () => {
    const r = await runBrowserTests({ CI: '', MESH_CHROMIUM: missing });
    expect(r.code, r.output.slice(-2000)).toBe(0);
    expect(r.output).toContain(`!! SKIPPING the dashboard browser tests (test/ui): no Chromium at ${missing}.`);
    // All of them skipped, none run: "Tests  N skipped (N)".
    const [, skipped, total] = /Tests\s+(\d+) skipped \((\d+)\)/.exec(r.output) ?? [];
    expect(skipped, r.output.slice(-1000)).toBeDefined();
    expect(skipped).toBe(total);
  });
});
