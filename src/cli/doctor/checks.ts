import { automerge, homeFiles, nativeAddons, nodeVersion } from './environmentChecks.js';
import { clocks, daemonRunning, keywordIndex, replication, socketMode, storeIntegrity, syncFailures, vectorIndex } from './daemonChecks.js';
import type { DoctorCheck } from './DoctorCheck.js';
import { claudeIntegration } from './integrationCheck.js';

/**
 * What `mesh doctor` checks, in the order it prints. One function per concern: add a check by
 * adding it here (and its function in its own module), without touching the others.
 */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  nodeVersion,
  homeFiles,
  daemonRunning,
  socketMode,
  keywordIndex,
  vectorIndex,
  replication,
  storeIntegrity,
  syncFailures,
  clocks,
  nativeAddons,
  automerge,
  claudeIntegration,
];
