import type { Parameters } from 'fast-check';

/**
 * Fuzz run parameters: a bounded number of cases for CI and a seed printed in every failure
 * (fast-check names the seed and path; TEST_SEED=<n> replays that run, TEST_PATH=<path> goes
 * straight to its shrunk counterexample).
 */
export function fuzzParams<T>(numRuns: number): Parameters<T> {
  const seed = process.env.TEST_SEED !== undefined ? Number(process.env.TEST_SEED) : Date.now() ^ (Math.random() * 0x100000000);
  const path = process.env.TEST_PATH;
  return { numRuns, seed, verbose: 1, ...(path ? { path } : {}) };
}
