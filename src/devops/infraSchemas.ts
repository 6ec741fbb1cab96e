import { z } from 'zod';
import { MAX_INFRA_STATE_CHARS } from './opsConstants.js';
import { name } from './devopsRecords.js';

export const TrackStateInput = z.object({
  machine: name,
  state_type: name.describe('e.g. service_status, disk, versions.'),
  state: z
    .record(z.string(), z.unknown())
    .refine((s) => JSON.stringify(s).length <= MAX_INFRA_STATE_CHARS, `state must serialise to at most ${MAX_INFRA_STATE_CHARS} characters`)
    .describe('JSON object, e.g. {"postgres":"16.1"}.'),
  observed_at: z.iso.datetime({ offset: true }).optional(),
});
export type TrackStateInput = z.infer<typeof TrackStateInput>;

export const GetStateInput = z.object({
  view: z.enum(['latest', 'history', 'changes']).optional().describe('Default latest.'),
  machine: name.optional(),
  state_type: name.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type GetStateInput = z.infer<typeof GetStateInput>;
