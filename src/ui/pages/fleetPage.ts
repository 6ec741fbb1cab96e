import { UI_FLEET_REFRESH_MS } from '../../constants.js';
import { MeshError } from '../../errors.js';
import type { PeerStatus } from '../../sync/Replicator.js';
import type { PeerReport } from '../UiSource.js';
import { ago, agoIso, shortId } from './format.js';
import { html, type Safe } from './html.js';
import type { UiPage } from './UiPage.js';

/** Unordered pairs of members known to be connected: this host's links, plus what each member reported. */
export function connectionPairs(peers: readonly PeerStatus[], reports: ReadonlyMap<string, PeerReport>): [string, string][] {
  const members = new Set(peers.filter((p) => !p.removed).map((p) => p.peer));
  const self = peers.find((p) => p.self)?.peer;
  const pairs = new Map<string, [string, string]>();
  const add = (a: string, b: string) => {
    if (a === b || !members.has(a) || !members.has(b)) return;
    const [x, y] = a < b ? [a, b] : [b, a];
    pairs.set(`${x} ${y}`, [x, y]);
  };
  for (const p of peers) if (self && !p.self && p.connected) add(self, p.peer);
  for (const [peer, r] of reports) for (const other of r.connected) add(peer, other);
  return [...pairs.values()];
}

/** A circle of hosts with a line per connection; names are SVG text (escaped like everything else). */
function graph(peers: readonly PeerStatus[], pairs: readonly [string, string][]): Safe {
  const shown = peers.filter((p) => !p.removed);
  const size = 320;
  const r = shown.length > 1 ? 120 : 0;
  const at = new Map(shown.map((p, i) => [p.peer, { x: size / 2 + r * Math.cos((2 * Math.PI * i) / shown.length - Math.PI / 2), y: size / 2 + r * Math.sin((2 * Math.PI * i) / shown.length - Math.PI / 2) }]));
  const lines = pairs.map(([a, b]) => {
    const p = at.get(a)!;
    const q = at.get(b)!;
    return html`<line class="edge" x1="${p.x.toFixed(1)}" y1="${p.y.toFixed(1)}" x2="${q.x.toFixed(1)}" y2="${q.y.toFixed(1)}"></line>`;
  });
  const nodes = shown.map((p) => {
    const c = at.get(p.peer)!;
    return html`<g class="node ${p.connected ? 'up' : 'down'}${p.self ? ' self' : ''}"><circle cx="${c.x.toFixed(1)}" cy="${c.y.toFixed(1)}" r="10"></circle><text x="${c.x.toFixed(1)}" y="${(c.y + 26).toFixed(1)}" text-anchor="middle">${p.name}</text></g>`;
  });
  return html`<svg class="graph" viewBox="0 0 ${size} ${size}" role="img" aria-labelledby="graph-title"><title id="graph-title">Connections between members</title>${lines}${nodes}</svg>`;
}

export const fleetPage: UiPage = {
  slug: 'fleet',
  title: 'Fleet',
  nav: true,
  live: ['mesh'],
  refreshMs: UI_FLEET_REFRESH_MS,
  async render({ source }) {
    const status = await source.call('daemon.status', {});
    let peers: PeerStatus[] = [];
    let problem: string | null = null;
    try {
      peers = (await source.call('mesh.peers', {})).peers;
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      problem = err.message;
    }
    const reports = source.peerReports();
    const pairs = connectionPairs(peers, reports);
    const name = (peer: string) => peers.find((p) => p.peer === peer)?.name ?? shortId(peer);
    const rows = peers.map((p) => {
      const report = reports.get(p.peer);
      const version = p.self ? status.version : (report?.version ?? 'unknown');
      const state = p.removed ? 'removed' : p.self ? 'this host' : p.connected ? 'connected' : 'not connected';
      return html`<tr data-peer="${p.peer}" class="${p.connected ? 'up' : 'down'}">
  <th scope="row">${p.name}${p.admin ? html` <span class="badge">admin</span>` : ''}<br><code title="${p.peer}">${shortId(p.peer)}</code></th>
  <td>${p.addrs.length ? html`<ul class="plain">${p.addrs.map((a) => html`<li><code>${a}</code></li>`)}</ul>` : 'no address'}</td>
  <td class="state"><span class="dot" aria-hidden="true"></span>${state}</td>
  <td>${p.self ? '—' : agoIso(p.last_sync)}</td>
  <td>${p.self || p.behind === null ? '—' : String(p.behind)}</td>
  <td class="version">${version}</td>
  <td>${p.self || p.clock_offset_ms === null ? '—' : `${p.clock_offset_ms} ms${p.clock_skewed ? ' (skewed)' : ''}`}</td>
</tr>`;
    });
    const connected = peers.filter((p) => !p.self && !p.removed && p.connected).length;
    const members = peers.filter((p) => !p.self && !p.removed).length;
    return html`<h1>Fleet</h1>
<p class="summary"><strong>${status.name}</strong> · version ${status.version} · connected to <span id="connected-count">${connected}</span> of ${members} other members · ${status.counts['memories'] ?? 0} memories</p>
${problem ? html`<p class="notice" role="alert">Replication is not running: ${problem}</p>` : ''}
<div class="fleet">
<div class="table-wrap"><table id="fleet-table">
<caption>Members of the mesh</caption>
<thead><tr><th scope="col">Host</th><th scope="col">Addresses</th><th scope="col">State</th><th scope="col">Last sync</th><th scope="col">Documents behind at last sync</th><th scope="col">Version</th><th scope="col">Clock offset</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<figure class="graph-box">${graph(peers, pairs)}
<figcaption><h2>Who is connected to whom</h2>${pairs.length ? html`<ul id="connections">${pairs.map(([a, b]) => html`<li>${name(a)} ↔ ${name(b)}</li>`)}</ul>` : html`<p>No connections known.</p>`}
<p class="hint">Links between other hosts come from their last presence report${reports.size ? html` (${[...reports].map(([peer, r]) => `${name(peer)} ${ago(r.heard_ago_ms)}`).join(', ')})` : ''}.</p></figcaption></figure>
</div>`;
  },
};
