import { BROADCAST_TAG, MAX_LIST_LIMIT, UI_BROADCAST_HOURS, UI_BROADCAST_LIMIT } from '../../constants.js';
import { IncidentService, type Incident } from '../../devops/IncidentService.js';
import type { Memory } from '../../domain/Memory.js';
import { agoIso } from './format.js';
import { html } from './html.js';
import type { UiPage } from './UiPage.js';

function incidentRow(i: Incident) {
  return html`<li class="incident sev-${i.severity} status-${i.status}" data-memory-id="${i.id}">
<h3>${i.title || i.description.slice(0, 80)}</h3>
<p class="meta"><span class="sev">${i.severity}</span> · ${i.status} · opened ${agoIso(i.opened_at)} on ${i.machine}${i.affected_systems.length ? ` · ${i.affected_systems.join(', ')}` : ''}${i.time_to_resolve_minutes !== null ? ` · resolved in ${i.time_to_resolve_minutes} min` : ''}</p>
<p>${i.description}</p>
${i.resolution ? html`<p><strong>Resolution:</strong> ${i.resolution}</p>` : ''}
${i.related.length ? html`<p class="hint">Related: ${i.related.map((r) => `${r.id.slice(0, 8)} (${r.why})`).join('; ')}</p>` : ''}
<a class="history-link" href="/memory/${encodeURIComponent(i.id)}">History</a></li>`;
}

function broadcastSeverity(m: Memory): string {
  const b = m.metadata['broadcast'];
  const s = b && typeof b === 'object' && !Array.isArray(b) ? b['severity'] : undefined;
  return typeof s === 'string' ? s : 'info';
}

export const incidentsPage: UiPage = {
  slug: 'incidents',
  title: 'Incidents',
  nav: true,
  live: ['memories'],
  async render({ source }) {
    const incidents = await new IncidentService((method, params) => source.call(method, params)).list({ limit: 50 });
    const recent = (await source.call('memory.recent', { hours: UI_BROADCAST_HOURS, limit: MAX_LIST_LIMIT })).results;
    const broadcasts = recent.filter((m) => m.tags.includes(BROADCAST_TAG)).slice(0, UI_BROADCAST_LIMIT);
    const open = incidents.filter((i) => i.status !== 'resolved');
    return html`<h1>Incidents and broadcasts</h1>
<section aria-labelledby="inc-h"><h2 id="inc-h">Incidents <span class="count">${open.length} open of ${incidents.length}</span></h2>
${incidents.length ? html`<ul class="incidents">${incidents.map(incidentRow)}</ul>` : html`<p>No incident recorded.</p>`}</section>
<section aria-labelledby="bc-h"><h2 id="bc-h">Recent broadcasts</h2>
${broadcasts.length ? html`<ul class="broadcasts">${broadcasts.map((m) => html`<li class="broadcast sev-${broadcastSeverity(m)}" data-memory-id="${m.id}"><p class="meta"><span class="sev">${broadcastSeverity(m)}</span> · ${m.agent} on ${m.machine} · ${agoIso(m.created_at)}</p><p>${m.content}</p></li>`)}</ul>` : html`<p>No broadcast in the last ${Math.round(UI_BROADCAST_HOURS / 24)} days.</p>`}</section>`;
  },
};
