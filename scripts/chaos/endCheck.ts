import type { ChaosHost } from './chaosHost.js';

/** What the run was told was done: acknowledged writes, erasures, metadata keys set, board changes. */
export interface ChaosExpectations {
  memories: Set<string>;
  erased: Set<string>;
  /** Metadata keys set by acknowledged edits: keys merge one by one, so none may be lost. */
  witnesses: { id: string; key: string; value: string }[];
  cards: Set<string>;
  deletedCards: Set<string>;
  comments: { id: string; text: string }[];
}

interface MemoryView {
  id: string;
  metadata: Record<string, unknown>;
}

interface CardView {
  id: string;
  comments: { text: string }[];
}

export interface HostState {
  /** Every memory the host holds, live and soft-deleted, as full views by id. */
  memories: Map<string, MemoryView & Record<string, unknown>>;
  cards: Map<string, CardView & Record<string, unknown>>;
  /** Members this host counts as connected (itself included). */
  connected: number;
}

export async function chaosStateOf(h: ChaosHost): Promise<HostState> {
  const live = await h.call('memory.recent', { hours: 24 * 365, limit: 500 });
  const deleted = await h.call('memory.listDeleted', { limit: 500 });
  const board = await h.call('task.list', { include_closed: true, limit: 500 });
  const peers = await h.call('mesh.peers', {});
  return {
    // Compared field by field (any field may differ), so held as plain records.
    memories: new Map([...live.results, ...deleted.results].map((m) => [m.id, { ...m }])),
    cards: new Map(board.tasks.map((t) => [t.id, { ...t }])),
    connected: peers.peers.filter((p) => p.connected && !p.removed).length,
  };
}

/** Every difference between the hosts' states, and between them and what was acknowledged; empty when all hold. */
export function compareStates(hosts: readonly ChaosHost[], states: readonly HostState[], expect: ChaosExpectations): string[] {
  const out: string[] = [];
  const differing = <V>(pick: (s: HostState) => Map<string, V>, what: string) => {
    const ids = new Set(states.flatMap((s) => [...pick(s).keys()]));
    for (const id of [...ids].sort()) {
      const views = states.map((s) => JSON.stringify(pick(s).get(id) ?? null));
      if (views.some((v) => v !== views[0])) out.push(`${what} ${id} differs:\n${views.map((v, i) => `  ${hosts[i]!.name}: ${v.slice(0, 400)}`).join('\n')}`);
    }
  };
  differing((s) => s.memories, 'memory');
  differing((s) => s.cards, 'card');
  for (const [i, s] of states.entries()) {
    const name = hosts[i]!.name;
    if (s.connected !== hosts.length) out.push(`${name} counts ${s.connected} of ${hosts.length} members connected`);
    for (const id of expect.memories) if (!s.memories.has(id)) out.push(`${name} lacks acknowledged memory ${id}`);
    for (const w of expect.witnesses) {
      if (!expect.erased.has(w.id) && s.memories.get(w.id)?.metadata[w.key] !== w.value) out.push(`${name} lacks acknowledged metadata ${w.key} on ${w.id}`);
    }
    for (const id of expect.erased) if (s.memories.has(id)) out.push(`${name} still holds erased memory ${id}`);
    for (const id of expect.cards) if (s.cards.has(id) === expect.deletedCards.has(id)) out.push(`${name}: card ${id} ${expect.deletedCards.has(id) ? 'still there after its deletion' : 'missing'}`);
    for (const c of expect.comments) {
      if (!expect.deletedCards.has(c.id) && !s.cards.get(c.id)?.comments.some((x) => x.text === c.text)) out.push(`${name} lacks acknowledged comment "${c.text}" on ${c.id}`);
    }
  }
  return out;
}
