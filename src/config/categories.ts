/** The categories teams already use (from the seed data); more can be allowed in config. */
export const BUILTIN_CATEGORIES = [
  'project',
  'conversation',
  'agent',
  'global',
  'infrastructure',
  'incidents',
  'deployments',
  'monitoring',
  'runbooks',
  'security',
] as const;

export type BuiltinCategory = (typeof BUILTIN_CATEGORIES)[number];

/** Category used when a caller gives none. */
export const DEFAULT_CATEGORY: BuiltinCategory = 'project';
