import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * The dashboard tests drive the machine's own Chromium (Debian package `chromium`), never a
 * downloaded one: MESH_CHROMIUM overrides the path. Without it they are skipped, loudly, except
 * under CI=true, where they run and fail.
 */
export const CHROMIUM_PATH = process.env['MESH_CHROMIUM'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
export const MUST_RUN = process.env['CI'] === 'true';
export const SKIP_BROWSER_TESTS = !HAVE_CHROMIUM && !MUST_RUN;

if (SKIP_BROWSER_TESTS) {
  process.stderr.write(
    `\n${'!'.repeat(78)}\n!! SKIPPING the dashboard browser tests (test/ui): no Chromium at ${CHROMIUM_PATH}.\n!! Install it with \`sudo apt-get install chromium\` (or set MESH_CHROMIUM); CI never skips them.\n${'!'.repeat(78)}\n\n`,
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where page screenshots go: test-results/ui by default (not committed); MESH_UI_SCREENSHOTS=docs/ui refreshes the documented ones. */
export function screenshotPath(name: string): string {
  const dir = process.env['MESH_UI_SCREENSHOTS'] ?? join(import.meta.dirname, '..', '..', 'test-results', 'ui');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
