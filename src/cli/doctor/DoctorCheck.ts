import type { HomePaths } from '../../home.js';
import type { DaemonHealth } from '../../daemon/health.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `mesh doctor`: what was checked, how it stands, and what to do about it. */
export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
}

/** What the running daemon said about itself, or why it could not be asked. */
export type DaemonProbe =
  | { state: 'running'; health: DaemonHealth }
  /** No process answers on the socket (and none holds the pid file). */
  | { state: 'absent'; reason: string }
  /** A daemon is there (the socket accepts, or the pid file names a live process) but did not answer health. */
  | { state: 'unhealthy'; reason: string };

export interface DoctorContext {
  home: string;
  paths: HomePaths;
  /** Asks the daemon once (memoised): every daemon check reads the same answer. */
  daemon(): Promise<DaemonProbe>;
}

/**
 * One check of `mesh doctor`. A check returns its lines (none when it does not apply); it never
 * throws for what it checks, a failure is a `fail` line. Add a check by adding a function to the
 * list in checks.ts.
 */
export type DoctorCheck = (ctx: DoctorContext) => Promise<CheckResult[]> | CheckResult[];

export function result(check: string, status: CheckStatus, detail: string): CheckResult {
  return { check, status, detail };
}
