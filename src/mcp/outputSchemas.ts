import { z } from 'zod';

/** Output schemas: the stable fields of INTERFACE.md; extra fields are allowed so we can add freely. */
export const MemoryOut = z.looseObject({
  id: z.string(),
  content: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  project: z.string(),
  machine: z.string(),
  agent: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  deleted: z.boolean(),
});

export const ResultsOut = z.looseObject({ results: z.array(z.looseObject({ id: z.string(), content: z.string() })) });

export const SearchOut = z.looseObject({
  results: z.array(z.looseObject({ id: z.string(), content: z.string(), score: z.number(), category: z.string(), machine: z.string() })),
  mode: z.string(),
  /** Equivalent terms the thesaurus added to a hybrid query, when it added any. */
  expanded: z.array(z.string()).optional(),
});

/** Also carries `scope`, `team` and `mode`: what the write got, after the session's mode (teams/modes.ts). */
export const StoreOut = z.looseObject({ id: z.string() });

export const DeleteOut = z.looseObject({ id: z.string(), hard: z.boolean(), recoverable_until: z.string().nullable() });

export const StatsOut = z.looseObject({
  total: z.number(),
  deleted: z.number(),
  by_category: z.record(z.string(), z.number()),
  by_machine: z.record(z.string(), z.number()),
});

export const MachineContextOut = z.looseObject({ machine: z.string(), total: z.number(), by_category: z.record(z.string(), z.number()) });

const Source = z.looseObject({ name: z.string(), count: z.number(), last_activity: z.string() });
export const SourcesOut = z.looseObject({ machines: z.array(Source), agents: z.array(Source), projects: z.array(Source) });

export const ProjectOut = z.looseObject({ project: z.string().nullable(), results: z.array(z.looseObject({ id: z.string() })) });

export const GroupsOut = z.looseObject({ enabled: z.array(z.string()), available: z.array(z.string()) });
