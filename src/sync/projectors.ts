import type * as A from '@automerge/automerge';
import type { z } from 'zod';
import { AgentViewSchema, toAgentView, type AgentDoc } from '../domain/Agent.js';
import { toMemory, type MemoryDoc } from '../domain/Memory.js';
import { TaskViewSchema, toTaskView } from '../domain/Task.js';
import type { TaskDoc } from '../domain/TaskDoc.js';
import { MemoryViewSchema } from '../domain/memoryView.js';
import { membershipDocView, MembershipDocViewSchema } from '../mesh/Membership.js';
import { vaultStoredView, VaultDocViewSchema } from '../vault/vaultDocs.js';
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
  agents: {
    view: (doc) => toAgentView(doc as A.Doc<AgentDoc>),
    schema: AgentViewSchema,
    scope: () => 'mesh',
    idOf: (view) => (view as { id: string }).id,
  },
  // Task views resolve concurrent moves and claims by the board's rules (domain/taskConflicts.ts),
  // a pure function of the merged document, so every host derives the same view.
  tasks: {
    view: (doc) => toTaskView(doc as A.Doc<TaskDoc>),
    schema: TaskViewSchema,
    scope: () => 'mesh',
    idOf: (view) => (view as { id: string }).id,
  },
  // Vault documents and audit chains: signed strings only (ciphertext, wrapped keys, audit entries), never indexed.
  vaults: {
    view: (doc) => vaultStoredView(doc),
    schema: VaultDocViewSchema,
    scope: () => 'mesh',
  },
  mesh: {
    view: (doc) => membershipDocView(doc),
    schema: MembershipDocViewSchema,
    scope: () => 'mesh',
  },
};
