import { spawnSync } from 'node:child_process';

/**
 * Clock tests run daemons under Debian's `faketime`. Missing it fails loudly in CI (CI=true: .ci/run
 * installs it) and skips locally, saying so.
 */
export function faketimeAvailable(): boolean {
  const found = spawnSync('faketime', ['-f', '+0', 'true']).status === 0 || spawnSync('which', ['faketime']).status === 0;
  if (found) return true;
  if (process.env['CI'] === 'true') throw new Error('faketime is not installed: the clock tests need it (apt-get install -y faketime; .ci/run installs it)');
  // eslint-disable-next-line no-console -- a skipped test must say why
  console.warn('SKIPPING the clock tests: faketime is not installed here (apt-get install -y faketime)');
  return false;
}
