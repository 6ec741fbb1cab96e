import { z } from 'zod';
import { name, recordId, text } from './devopsRecords.js';

export const GenerateRunbookInput = z.object({
  runbook_id: recordId.optional(),
  incident_id: recordId.optional(),
  title: text(300).optional(),
  trigger: text(2_000).optional().describe('When to use it.'),
  steps: z.array(text(2_000)).min(1).max(100).optional(),
  verification: text(2_000).optional(),
  rollback: text(2_000).optional(),
  systems: z.array(name).max(50).optional(),
  project: text(200).optional(),
});
export type GenerateRunbookInput = z.infer<typeof GenerateRunbookInput>;

export const ListRunbooksInput = z.object({
  query: text(2_000).optional(),
  system: name.optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type ListRunbooksInput = z.infer<typeof ListRunbooksInput>;

/** A runbook or playbook: current text, or one version, or a diff between two versions. */
export const GetVersionsInput = z.object({
  id: recordId.describe('Runbook or playbook id.'),
  version: z.number().int().min(1).optional(),
  diff_from: z.number().int().min(1).optional().describe('Diff from this version to `version` (default latest).'),
});
export type GetVersionsInput = z.infer<typeof GetVersionsInput>;
