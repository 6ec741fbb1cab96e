import { z } from 'zod';
import { name, recordId, text } from './devopsRecords.js';

export const CHECK_STATUSES = ['ok', 'warn', 'fail', 'unknown'] as const;
export const ISSUE_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

const line = text(2_000);
const ids = z.array(recordId).max(50);

export const RecordHealthInput = z.object({
  host: name.optional(),
  checks: z.array(z.object({ name: text(200), status: z.enum(CHECK_STATUSES), detail: text(2_000).optional() })).min(1).max(100),
  findings: z.array(line).max(50).optional(),
  actions_taken: z.array(line).max(50).optional(),
  issues: ids.optional().describe('Related issue ids.'),
});
export type RecordHealthInput = z.infer<typeof RecordHealthInput>;

export const RecordIssueInput = z.object({
  host: name.optional(),
  title: text(300),
  severity: z.enum(ISSUE_SEVERITIES).optional().describe('Default medium.'),
  detail: text(5_000).optional(),
});
export type RecordIssueInput = z.infer<typeof RecordIssueInput>;

export const RecordActionInput = z.object({
  host: name.optional(),
  action: text(5_000),
  resolves: ids.optional(),
  result: text(2_000).optional(),
});
export type RecordActionInput = z.infer<typeof RecordActionInput>;

export const HostHealthInput = z.object({ host: name.optional() });
export type HostHealthInput = z.infer<typeof HostHealthInput>;
