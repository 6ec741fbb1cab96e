import type { MemoryService } from '../domain/MemoryService.js';
import { BRIEFING_HEALTH_SCAN } from './opsConstants.js';
import { hostTag, kindTag } from './devopsRecords.js';
import { HEALTH_CATEGORY, HEALTH_KINDS, openIssues } from './HealthRecordService.js';

/**
 * The session-start briefing's lines for this host's unresolved health issues: two small catalog
 * lookups (the briefing has a time budget). Resolving an issue updates it, so the most recently
 * updated issues carry their own status; the recent actions only cover an update still in flight.
 */
export async function hostHealthIssues(memories: Pick<MemoryService, 'listLive'>, machine: string, max: number): Promise<string[]> {
  const host = hostTag(machine);
  const [issues, actions] = await Promise.all([
    memories.listLive({ category: HEALTH_CATEGORY, tags: [kindTag(HEALTH_KINDS.issue), host] }, BRIEFING_HEALTH_SCAN),
    memories.listLive({ category: HEALTH_CATEGORY, tags: [kindTag(HEALTH_KINDS.action), host] }, BRIEFING_HEALTH_SCAN),
  ]);
  return openIssues(issues, actions)
    .slice(0, max)
    .map((i) => `[issue · ${i.severity} · ${i.id.slice(0, 8)}] ${i.title} (since ${i.opened_at.slice(0, 10)}; resolve with record_action)`);
}
