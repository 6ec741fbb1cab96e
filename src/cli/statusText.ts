import type { RefusalReason, RefusalTally } from '../sync/RefusalCounts.js';
import type { PeerStatus } from '../sync/Replicator.js';

/** What `daemon.status` answers (see Daemon.status); every part optional so an older daemon still prints. */
export interface DaemonStatus {
  version?: string;
  name?: string;
  host_id?: string;
  pid?: number;
  home?: string;
  uptime_s?: number;
  counts?: Record<string, number>;
  index?: { seq?: number; store_seq?: number };
  clients?: number;
  replication?: { peer_id?: string; listen?: string[]; mesh_id?: string; joining?: { inviter: string; error: string | null; gave_up?: boolean } | null; founder?: boolean; peers?: PeerStatus[]; refused?: Partial<Record<RefusalReason, RefusalTally>>; error?: string };
  search?: { configured?: { id?: string } | string; enabled?: boolean; loaded?: boolean; error?: string | null; model?: string; vectors?: number; queued?: number; rebuilding?: { done: number; total: number } | null };
}

/** `mesh status` for a person: one fact per line, in words; `--json` has every field. */
export function statusText(s: DaemonStatus): string {
  const lines: string[] = [];
  lines.push(`${s.name ?? '?'} (${s.host_id ?? '?'}), hivemesh ${s.version ?? '?'}, daemon pid ${s.pid ?? '?'}, up ${duration(s.uptime_s ?? 0)}`);
  lines.push(`home: ${s.home ?? '?'}`);
  const c = s.counts ?? {};
  lines.push(`memories: ${c.memories ?? 0} (${c.memories_deleted ?? 0} deleted)  agents: ${c.agents ?? 0} (${c.agents_live ?? 0} live)  tasks: ${c.tasks ?? 0} (${c.tasks_open ?? 0} open)`);
  lines.push(`local clients: ${s.clients ?? 0}`);
  const r = s.replication;
  if (!r) lines.push('replication: unknown');
  else if (r.error) lines.push(`replication: NOT RUNNING: ${r.error}`);
  else {
    lines.push(`peer id: ${r.peer_id ?? '?'}`);
    lines.push(`listening on: ${r.listen?.length ? r.listen.join(' ') : 'nothing'}`);
    if (r.joining) lines.push(`joining through ${r.joining.inviter}${r.joining.error ? `: ${r.joining.error}` : ' (waiting for the inviter)'}`);
    const peers = r.peers ?? [];
    const connected = peers.filter((p) => p.connected);
    lines.push(`members: ${peers.length} other${peers.length === 1 ? '' : 's'}, ${connected.length} connected${peers.length ? `: ${peers.map((p) => `${p.name}${p.connected ? '' : ' (offline)'}${p.last_sync ? '' : ' (never synced)'}`).join(', ')}` : ''}`);
    const refused = refusedText(r.refused);
    if (refused) lines.push(`refused since start: ${refused}`);
  }
  const q = s.search;
  if (q) {
    const model = q.model ?? (typeof q.configured === 'string' ? q.configured : q.configured?.id) ?? '?';
    if (q.enabled === false) lines.push('search: keyword only (semantic search is off in the config)');
    else if (q.error) lines.push(`search: keyword only; the embedding model failed: ${q.error}`);
    else if (!q.loaded) lines.push(`search: keyword only while the model ${model} loads`);
    else lines.push(`search: hybrid, model ${model}, ${q.vectors ?? 0} vectors${q.queued ? `, ${q.queued} queued` : ''}${q.rebuilding ? `, rebuilding ${q.rebuilding.done}/${q.rebuilding.total}` : ''}`);
  }
  if (s.index && s.index.seq !== undefined && s.index.store_seq !== undefined && s.index.seq < s.index.store_seq) lines.push(`keyword index: ${s.index.store_seq - s.index.seq} changes behind the store`);
  return lines.join('\n');
}

const REFUSAL_WORDS: Record<RefusalReason, [what: string, one: string, many: string]> = {
  wrong_mesh_key: ['connections failing the mesh-key handshake', 'address', 'addresses'],
  not_a_member: ['connections from non-members', 'peer', 'peers'],
  join_refused: ['joins with a bad invite', 'peer', 'peers'],
  aborted_handshake: ['members’ handshakes given up mid-way', 'address', 'addresses'],
  refused_before_handshake: ['connections refused before their handshake (too many at once)', 'address', 'addresses'],
};

/** "3 connections failing the mesh-key handshake (from 1 address), …"; empty when nothing was refused. */
function refusedText(refused: Partial<Record<RefusalReason, RefusalTally>> | undefined): string {
  return (Object.keys(REFUSAL_WORDS) as RefusalReason[])
    .flatMap((reason) => {
      const t = refused?.[reason];
      if (!t?.attempts) return [];
      const [what, one, many] = REFUSAL_WORDS[reason];
      return [`${t.attempts} ${what} (from ${t.sources_capped ? 'at least ' : ''}${t.sources} ${t.sources === 1 ? one : many})`];
    })
    .join(', ');
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
