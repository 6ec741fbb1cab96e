import type * as A from '@automerge/automerge';
import { summariseHistory } from '../store/changeHistory.js';

/** Who soft-deleted a memory: the Automerge actor and host of the last change that wrote `deleted`. */
export interface Deleter {
  actor: string;
  machine: string | null;
}

/**
 * The deleting change of a soft-deleted memory: the last change (in the change graph's order)
 * that wrote the `deleted` field. Retention is enforced by that host, on the time it stamped
 * itself (see MemoryService.purgeExpired), so no other host's clock decides the erasure.
 */
export function deleterOf(changes: A.DecodedChange[]): Deleter | undefined {
  const history = summariseHistory(changes);
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (h.fields.includes('deleted')) return { actor: h.actor, machine: h.machine };
  }
  return undefined;
}
