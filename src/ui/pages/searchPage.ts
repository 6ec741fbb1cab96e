import { MeshError } from '../../errors.js';
import type { SearchResult } from '../../domain/MemoryService.js';
import type { ParamsOf } from '../../daemon/methodMap.js';
import { SEARCH_MODES } from '../../domain/memorySchemas.js';
import { agoIso } from './format.js';
import { html, type Safe } from './html.js';
import type { UiPage } from './UiPage.js';

/** Characters of a memory shown in a result; the history page has all of it. */
const SNIPPET_CHARS = 600;

const FILTERS = ['category', 'project', 'machine'] as const;

function snippet(text: string): string {
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text;
}

/** One result with where it came from: host, agent, times, category, project, tags, and its history. */
export function memoryItem(m: SearchResult | (Omit<SearchResult, 'score'> & { score?: number })): Safe {
  return html`<li class="result" data-memory-id="${m.id}">
<p class="content">${snippet(m.content)}</p>
<p class="provenance">${m.category}${m.project ? ` · ${m.project}` : ''} · written on <strong>${m.machine}</strong> by ${m.agent} · ${agoIso(m.created_at)}${m.updated_at !== m.created_at ? ` · edited ${agoIso(m.updated_at)} by ${m.updated_by}` : ''}${m.score !== undefined ? ` · score ${m.score.toFixed(3)}` : ''}${m.deleted ? ' · deleted' : ''}</p>
${m.tags.length ? html`<ul class="tags" aria-label="Tags">${m.tags.map((t) => html`<li>${t}</li>`)}</ul>` : ''}
<a class="history-link" href="/memory/${encodeURIComponent(m.id)}">History of ${m.id.slice(0, 8)}</a>
</li>`;
}

function options(values: readonly string[], chosen: string | null): Safe {
  return html`<option value="">any</option>${values.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : ''}>${v}</option>`)}`;
}

export const searchPage: UiPage = {
  slug: 'search',
  title: 'Search',
  nav: true,
  live: ['memories'],
  async render({ source, query }) {
    const stats = await source.call('memory.stats', {});
    const q = query.get('q')?.trim() ?? '';
    const mode = query.get('mode') ?? 'hybrid';
    const chosen = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) || null])) as Record<(typeof FILTERS)[number], string | null>;
    const tags = (query.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    let results: (SearchResult | (Omit<SearchResult, 'score'> & { score?: number }))[] = [];
    let problem: string | null = null;
    let notice: string | null = null;
    try {
      if (q) {
        const params = { query: q, mode, limit: 50, ...Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== null)), ...(tags.length ? { tags } : {}) };
        // The query string is checked by memory.search's own schema at dispatch (a bad mode is its INVALID_INPUT).
        const found = await source.call('memory.search', params as ParamsOf<'memory.search'>);
        results = found.results;
        notice = found.notice ?? (found.mode !== mode ? `searched in ${found.mode} mode` : null);
      } else {
        results = (await source.call('memory.recent', { hours: 24 * 7, limit: 20 })).results;
      }
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      problem = `${err.code}: ${err.message}`;
    }
    const field = (name: (typeof FILTERS)[number], label: string, values: Record<string, number>) =>
      html`<label>${label} <select name="${name}">${options(Object.keys(values).sort(), chosen[name])}</select></label>`;
    return html`<h1>Search</h1>
<form class="search" method="get" action="/search" role="search">
  <label class="grow">Query <input type="search" name="q" value="${q}" autocomplete="off"></label>
  <label>Mode <select name="mode">${SEARCH_MODES.map((m) => html`<option value="${m}"${m === mode ? html` selected` : ''}>${m}</option>`)}</select></label>
  ${field('category', 'Category', stats.by_category)}
  ${field('project', 'Project', stats.by_project)}
  ${field('machine', 'Host', stats.by_machine)}
  <label>Tags <input type="text" name="tags" value="${tags.join(',')}" placeholder="a,b"></label>
  <button type="submit">Search</button>
</form>
${problem ? html`<p class="notice" role="alert">${problem}</p>` : ''}
${notice ? html`<p class="hint">${notice}</p>` : ''}
<h2>${q ? `${results.length} result${results.length === 1 ? '' : 's'}` : 'Recent memories'}</h2>
<ol class="results">${results.map(memoryItem)}</ol>`;
  },
};
