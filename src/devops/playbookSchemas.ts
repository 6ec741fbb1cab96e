import { z } from 'zod';
import { MAX_CONTENT_CHARS } from '../constants.js';
import { name, recordId, text } from './devopsRecords.js';
import { PLAYBOOK_TYPES } from './playbookParse.js';

export const UploadPlaybookInput = z.object({
  name: text(200),
  type: z.enum(PLAYBOOK_TYPES),
  content: z.string().min(1).max(MAX_CONTENT_CHARS),
  description: text(2_000).optional(),
  systems: z.array(name).max(50).optional(),
  playbook_id: recordId.optional(),
  project: text(200).optional(),
});
export type UploadPlaybookInput = z.infer<typeof UploadPlaybookInput>;
