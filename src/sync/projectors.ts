import type * as A from '@automerge/automerge';
import type { z } from 'zod';
import { toMemory, type MemoryDoc } from '../domain/Memory.js';
import { MemoryViewSchema } from '../domain/memoryView.js';
import { membershipView, MembershipViewSchema } from '../mesh/Membership.js';
import type { ShareScope } from '../store/types.js';
import type { Collection } from '../types.js';

/** How replication turns a document of one collection into its view and who may receive it. */
export interface Projector {
  view(doc: A.Doc<unknown>): unknown;
  schema: z.ZodType;
  scope(view: unknown): ShareScope;
  /** The id a view says it has must match the key it arrives under. */
  idOf?(view: unknown): string;
}

export const PROJECTORS: Partial<Record<Collection, Projector>> = {
  memories: {
    view: (doc) => toMemory(doc as A.Doc<MemoryDoc>),
    schema: MemoryViewSchema,
    scope: (view) => (view as { scope: ShareScope }).scope,
    idOf: (view) => (view as { id: string }).id,
  },
  mesh: {
    view: (doc) => membershipView(doc),
    schema: MembershipViewSchema,
    scope: () => 'mesh',
  },
};
