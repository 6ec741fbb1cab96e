import { z } from 'zod';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const INCIDENT_STATUSES = ['open', 'investigating', 'mitigated', 'resolved'] as const;

const systems = z.array(z.string().min(1).max(200)).min(1).max(50);

export const RecordIncidentInput = z.object({
  title: z.string().min(1).max(300).describe('Short name of the failure.'),
  description: z.string().min(1).max(20_000).describe('Symptoms, error messages, what was seen.'),
  severity: z.enum(SEVERITIES).optional().describe('Default medium.'),
  affected_systems: systems.describe('Hosts or services affected (e.g. proxy2, postgres).'),
  status: z.enum(INCIDENT_STATUSES).optional().describe('Default open.'),
  resolution: z.string().max(20_000).optional().describe('What fixed it, if already known.'),
  project: z.string().max(200).optional(),
  opened_at: z.iso.datetime({ offset: true }).optional().describe('When it started (default now).'),
});
export type RecordIncidentInput = z.infer<typeof RecordIncidentInput>;

export const UpdateIncidentInput = z.object({
  incident_id: z.string().min(1).max(100),
  status: z.enum(INCIDENT_STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  resolution: z.string().max(20_000).optional().describe('What fixed it; required to resolve.'),
  note: z.string().max(5_000).optional().describe('A finding appended to the description.'),
});
export type UpdateIncidentInput = z.infer<typeof UpdateIncidentInput>;

export const ListIncidentsInput = z.object({
  system: z.string().max(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  status: z.enum([...INCIDENT_STATUSES, 'unresolved']).optional().describe('"unresolved" = anything not resolved.'),
  since: z.iso.datetime({ offset: true }).optional().describe('Opened at or after.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Opened before.'),
  limit: z.number().int().min(1).max(200).optional().describe('Default 50.'),
});
export type ListIncidentsInput = z.infer<typeof ListIncidentsInput>;
