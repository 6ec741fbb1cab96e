import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../../src/secrets/SecretDetector.js';
import { secretlintProfilerFootprint } from '../../../src/secrets/quietSecretlint.js';

/**
 * secretlint's profiler kept every mark of every lint (upstream secretlint#1633): a daemon that
 * checks each memory write got slower with every write and grew without bound. The real lint runs
 * here many times; what the profiler and Node's timeline hold must not grow with them.
 */
describe('secretlint profiling is off', () => {
  it('a thousand checks leave no profiler entries and no timeline marks behind', async () => {
    await findSecrets('warm-up: AKIAIOSFODNN7EXAMPLE');
    await new Promise((r) => setImmediate(r)); // the profiler's observer is called asynchronously
    const before = secretlintProfilerFootprint();
    for (let i = 0; i < 1000; i++) await findSecrets(`note ${i}: restarted nginx on proxy2 after the config change`);
    await new Promise((r) => setImmediate(r));
    const after = secretlintProfilerFootprint();
    expect(after.entries - before.entries, 'secretlint profiler entries added by 1000 checks').toBe(0);
    expect(after.marks - before.marks, 'performance marks added by 1000 checks').toBe(0);
    // Still a working detector.
    expect((await findSecrets('key AKIAIOSFODNN7EXAMPLE')).length).toBeGreaterThan(0);
  });
});
