import { integrationChecks } from '../../claude/doctorChecks.js';
import type { CheckResult, DoctorContext } from './DoctorCheck.js';

/** The Claude Code wiring and the service (both optional: warnings with the command that fixes them). */
export function claudeIntegration(ctx: DoctorContext): Promise<CheckResult[]> {
  return integrationChecks(ctx.home);
}
