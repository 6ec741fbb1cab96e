/** What `mesh status` and `mesh doctor` say about peers' clocks (measured by the presence exchange, src/sync/Presence.ts). */
export interface ClockStatus {
  max_skew_ms: number;
  skewed_peers: { peer: string; name: string; offset_ms: number }[];
  held_erasures: number;
}

/** The daemon status's clock section, when replication runs. */
export function clockOf(status: Record<string, unknown>): ClockStatus | undefined {
  const replication = status['replication'] as { clock?: ClockStatus } | undefined;
  return replication?.clock;
}

function human(ms: number): string {
  const abs = Math.abs(ms);
  const text = abs >= 86_400_000 ? `${(abs / 86_400_000).toFixed(1)} days` : abs >= 3_600_000 ? `${(abs / 3_600_000).toFixed(1)} h` : `${Math.round(abs / 60_000)} min`;
  return `${text} ${ms > 0 ? 'ahead of' : 'behind'}`;
}

/** One line per peer beyond the bound, saying what the mesh does about it; empty when all agree. */
export function clockWarnings(clock: ClockStatus | undefined): string[] {
  if (!clock) return [];
  const lines = clock.skewed_peers.map(
    (p) => `clock: ${p.name} (${p.peer.slice(0, 12)}…) is ${human(p.offset_ms)} this host (bound ${Math.round(clock.max_skew_ms / 60_000)} min): its erasures dated in the future are held until then; fix its clock (NTP)`,
  );
  if (clock.held_erasures > 0) lines.push(`clock: ${clock.held_erasures} erasure(s) from a clock ahead are held until their time comes`);
  return lines;
}
