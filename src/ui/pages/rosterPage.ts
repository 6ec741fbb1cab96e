import type { RosterEntry } from '../../domain/Agent.js';
import { ago, agoIso } from './format.js';
import { html } from './html.js';
import type { UiPage } from './UiPage.js';

/** The heartbeat column: the age in whole units ("0 s ago", "2 h ago"), or why there is none. */
export function heartbeat(a: Pick<RosterEntry, 'heartbeat_age_s'>): string {
  // The roster gives tenths of a second; whole units read better, and "2 h" better than 7260.4 s.
  return a.heartbeat_age_s === null ? 'not heard since this host started' : ago(a.heartbeat_age_s * 1000);
}

export const rosterPage: UiPage = {
  slug: 'roster',
  title: 'Roster',
  nav: true,
  live: ['agents', 'tasks'],
  async render({ source }) {
    const { agents } = await source.call('agent.roster', {});
    const byHost = new Map<string, RosterEntry[]>();
    for (const a of agents) byHost.set(a.machine, [...(byHost.get(a.machine) ?? []), a]);
    const hosts = [...byHost.keys()].sort();
    return html`<h1>Roster</h1>
<p class="summary">${agents.length} agent${agents.length === 1 ? '' : 's'} on ${hosts.length} host${hosts.length === 1 ? '' : 's'}; status comes from each session's heartbeat age.</p>
${hosts.length === 0 ? html`<p>No agent has registered yet.</p>` : ''}
${hosts.map(
  // Ids by position: host names are free text (a space would split the aria-labelledby reference).
  (host, i) => html`<section class="host" aria-labelledby="host-${i}-h"><h2 id="host-${i}-h">${host}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Heartbeat</th><th scope="col">Capabilities</th><th scope="col">Open tasks</th><th scope="col">Last active</th></tr></thead>
<tbody>${byHost.get(host)!.map(
    (a) => html`<tr data-agent="${a.id}"><th scope="row">${a.id}<br><span class="hint">${a.role}${a.client ? ` · ${a.client}` : ''}</span></th>
<td><span class="status status-${a.status}">${a.status}</span></td><td>${heartbeat(a)}</td>
<td>${a.capabilities.length ? html`<ul class="tags">${a.capabilities.map((c) => html`<li>${c}</li>`)}</ul>` : '—'}</td>
<td>${a.open_tasks}</td><td>${agoIso(a.last_active)}</td></tr>`,
  )}</tbody></table></div></section>`,
)}`;
  },
};
