import type { Incident } from './IncidentService.js';

/** One line per incident: id, severity/status, title, systems, when and where opened, time to resolve. */
export function incidentLine(i: Incident): string {
  const ttr = i.time_to_resolve_minutes !== null ? `, resolved in ${i.time_to_resolve_minutes} min` : '';
  return `${i.id} [${i.severity}/${i.status}] ${i.title} (${i.affected_systems.join(', ')}; opened ${i.opened_at} on ${i.machine}${ttr})`;
}

export function incidentText(i: Incident): string {
  const lines = [incidentLine(i), '', i.description];
  if (i.resolution) lines.push('', `Resolution: ${i.resolution}`);
  if (i.related.length) lines.push('', 'Related:', ...i.related.map((r) => `- ${r.id}: ${r.why}`));
  return lines.join('\n');
}

