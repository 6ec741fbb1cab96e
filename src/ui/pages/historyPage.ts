import type { AttributedEntry } from '../../authorship/historyAuthors.js';
import { agoIso, shortId } from './format.js';
import { html } from './html.js';
import type { UiPage } from './UiPage.js';

function author(e: AttributedEntry): string {
  const a = e.author;
  if (a.status === 'verified') return `${a.host ?? shortId(a.peer)} (signature verified)${e.claim_mismatch ? `; the change claims ${e.machine ?? '?'}` : ''}`;
  if (a.status === 'invalid') return `${e.machine ?? 'unknown host'} (signature invalid: ${a.reason})`;
  return `${e.machine ?? 'unknown host'} (unsigned)`;
}

/** A memory and every change to it: who changed which field, on which host, when. */
export const historyPage: UiPage = {
  slug: 'memory',
  title: 'Memory history',
  nav: false,
  live: ['memories'],
  async render({ source, id }) {
    const memory = await source.call('memory.retrieve', { memory_id: id ?? '' });
    const { history } = await source.call('memory.history', { memory_id: id ?? '' });
    const rows = [...history].reverse().map(
      (e) => html`<tr><td><time datetime="${e.time}">${e.time}</time><br><span class="hint">${agoIso(e.time)}</span></td><td>${e.agent ?? 'unknown'}</td><td>${author(e)}</td><td>${e.action ?? '—'}</td><td>${e.fields.join(', ') || '—'}</td></tr>`,
    );
    return html`<h1>Memory <code>${memory.id}</code></h1>
<dl class="facts"><dt>Category</dt><dd>${memory.category}</dd><dt>Project</dt><dd>${memory.project || '—'}</dd><dt>Written on</dt><dd>${memory.machine} by ${memory.agent}, ${memory.created_at}</dd><dt>Last change</dt><dd>${memory.updated_at} by ${memory.updated_by}</dd><dt>Scope</dt><dd>${memory.scope}</dd>${memory.deleted ? html`<dt>Deleted</dt><dd>${memory.deleted_at ?? ''} ${memory.deleted_reason ?? ''}</dd>` : ''}</dl>
<h2>Content</h2>
<pre class="content" id="memory-content">${memory.content}</pre>
${memory.tags.length ? html`<ul class="tags" aria-label="Tags">${memory.tags.map((t) => html`<li>${t}</li>`)}</ul>` : ''}
<h2>History</h2>
<div class="table-wrap"><table id="history"><caption>${history.length} change${history.length === 1 ? '' : 's'}, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Agent</th><th scope="col">Host</th><th scope="col">Action</th><th scope="col">Fields</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  },
};
