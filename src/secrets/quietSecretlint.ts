import { performance } from 'node:perf_hooks';
import { secretLintProfiler } from '@secretlint/profiler';

/**
 * secretlint 10 profiles every lint whether anyone reads it: each rule of each call adds
 * `performance.mark` entries that its profiler keeps forever and scans linearly on every mark
 * (upstream secretlint#1633, fixed in 13.x by #1673, which needs Node 22). In a daemon that checks
 * every memory write, that made writes slower with each one (87 writes/s after 2,000, 47 % of the
 * CPU in the profiler) and grew memory without bound. Marking is turned off here, once, before
 * any lint; nothing in hivemesh reads secretlint's measures.
 */
export function quietSecretlintProfiler(): void {
  secretLintProfiler.mark = () => undefined;
}

/** Profiler entries kept, and marks in Node's timeline: both stay flat once the profiler is quiet (tests). */
export function secretlintProfilerFootprint(): { entries: number; marks: number } {
  // `entries` is private in its types; read only to prove it stays empty.
  const kept = (secretLintProfiler as unknown as { entries: unknown[] }).entries;
  return { entries: kept.length, marks: performance.getEntriesByType('mark').length };
}
