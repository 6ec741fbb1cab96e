import { z } from 'zod';
import { name, text } from './devopsRecords.js';

const project = name;

export const CreateProjectInput = z.object({
  name: project,
  description: text(2_000).optional(),
  systems: z.array(name).max(100).optional(),
  repository: text(500).optional(),
});
export type CreateProjectInput = z.infer<typeof CreateProjectInput>;

export const ProjectNameInput = z.object({ project });
export const ProjectHealthInput = z.object({ project: project.optional().describe("Default the session's project.") });
export type ProjectHealthInput = z.infer<typeof ProjectHealthInput>;
