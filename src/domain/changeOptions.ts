import type * as A from '@automerge/automerge';
import type { Actor } from '../types.js';

/** Provenance of a change, recorded in its Automerge message: who, on which machine, what. Automerge times are seconds. */
export function changeOptions<T>(actor: Actor, action: string, now: number): A.ChangeOptions<T> {
  return { message: JSON.stringify({ machine: actor.machine, agent: actor.agent, action }), time: Math.floor(now / 1000) };
}
