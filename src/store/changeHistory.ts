import type * as A from '@automerge/automerge';

/** One change of a document's history: who (actor, machine, agent), when, and which fields. */
export interface HistoryEntry {
  seq: number;
  actor: string;
  time: string;
  machine: string | null;
  agent: string | null;
  action: string | null;
  fields: string[];
  hash: string;
}

/**
 * Summarises decoded Automerge changes. Ops on nested objects (text, lists, maps) are traced back
 * to the top-level field that holds them, so "content" shows up rather than an object id.
 */
export function summariseHistory(changes: A.DecodedChange[]): HistoryEntry[] {
  const fieldOfObject = new Map<string, string>();
  return changes.map((change) => {
    const fields = new Set<string>();
    change.ops.forEach((op, i) => {
      const field = op.obj === '_root' ? op.key : fieldOfObject.get(op.obj);
      if (field) fields.add(field);
      // An op that makes an object gets the id `${startOp + i}@${actor}`; remember which field holds it.
      if (op.action.startsWith('make') && field) fieldOfObject.set(`${change.startOp + i}@${change.actor}`, field);
    });
    const meta = parseMessage(change.message);
    return {
      seq: change.seq,
      actor: change.actor,
      time: new Date(change.time * 1000).toISOString(),
      machine: meta?.machine ?? null,
      agent: meta?.agent ?? null,
      action: meta?.action ?? null,
      fields: [...fields].sort(),
      hash: change.hash,
    };
  });
}

function parseMessage(message: string | null): { machine?: string; agent?: string; action?: string } | undefined {
  if (!message) return undefined;
  try {
    return JSON.parse(message) as { machine?: string; agent?: string; action?: string };
  } catch {
    return undefined;
  }
}
