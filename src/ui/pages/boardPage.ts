import { MAX_LIST_LIMIT } from '../../constants.js';
import type { TaskOut } from '../../domain/Task.js';
import { TASK_STATUSES, type TaskStatus } from '../../domain/TaskDoc.js';
import { agoIso, domId } from './format.js';
import { html, type Safe } from './html.js';
import type { UiPage } from './UiPage.js';

const COLUMN_TITLES: Record<TaskStatus, string> = { todo: 'To do', in_progress: 'In progress', blocked: 'Blocked', review: 'Review', done: 'Done', cancelled: 'Cancelled' };

function conflictText(c: TaskOut['conflicts'][number]): string {
  return `${c.field}: kept ${JSON.stringify(c.winner)} over ${c.losers.map((l) => JSON.stringify(l)).join(', ')} (${c.rule})`;
}

/** Moving and commenting, for write sessions only: a form per card, so the keyboard can do what dragging does. */
function controls(t: TaskOut): Safe {
  const moveId = domId('move', t.id);
  const commentId = domId('comment', t.id);
  return html`<form class="move" data-task-id="${t.id}">
  <label for="${moveId}">Move to</label>
  <select id="${moveId}" name="status">${TASK_STATUSES.map((s) => html`<option value="${s}"${s === t.workflow_status ? html` selected` : ''}>${COLUMN_TITLES[s]}</option>`)}</select>
  <button type="submit">Move</button>
</form>
<form class="comment" data-task-id="${t.id}">
  <label for="${commentId}">Comment</label>
  <input id="${commentId}" name="comment" type="text" maxlength="2000" required>
  <button type="submit">Add</button>
</form>`;
}

function card(t: TaskOut, writable: boolean, titles: ReadonlyMap<string, string>): Safe {
  const dep = (id: string) => titles.get(id) ?? id;
  return html`<li class="card prio-${t.priority}" id="${domId('task', t.id)}" data-task-id="${t.id}" data-status="${t.status}"${writable ? html` draggable="true"` : ''}>
<h3 class="card-title">${t.title}</h3>
<p class="meta"><span class="prio" title="priority">${t.priority}</span> · <span class="assignee">${t.assignee ? `@${t.assignee}` : 'unassigned'}</span>${t.project ? ` · ${t.project}` : ''}${t.progress ? ` · ${t.progress}%` : ''}</p>
${t.dependencies.length ? html`<p class="deps">Depends on: ${t.dependencies.map(dep).join(', ')}${t.blocked_by.length ? html` <strong>(waiting on ${t.blocked_by.map(dep).join(', ')})</strong>` : ''}</p>` : ''}
${t.conflicts.length ? html`<ul class="conflicts" aria-label="Concurrent edits resolved">${t.conflicts.map((c) => html`<li>${conflictText(c)}</li>`)}</ul>` : ''}
${t.comments.length ? html`<details><summary>${t.comments.length} comment${t.comments.length === 1 ? '' : 's'}</summary><ul class="comments">${t.comments.map((c) => html`<li><span class="who">${c.agent}@${c.machine}</span> <time datetime="${c.at}">${agoIso(c.at)}</time><p>${c.text}</p></li>`)}</ul></details>` : ''}
${writable ? controls(t) : ''}
</li>`;
}

export const boardPage: UiPage = {
  slug: 'board',
  title: 'Board',
  nav: true,
  live: ['tasks', 'agents'],
  async render({ source, access }) {
    const { tasks, total, truncated } = await source.call('task.list', { include_closed: true, limit: MAX_LIST_LIMIT });
    const titles = new Map(tasks.map((t) => [t.id, t.title]));
    const writable = access === 'write';
    const columns = TASK_STATUSES.map((status) => {
      const here = tasks.filter((t) => t.status === status);
      return html`<section class="column" data-status="${status}" aria-labelledby="col-${status}-h">
<h2 id="col-${status}-h">${COLUMN_TITLES[status]} <span class="count">${here.length}</span></h2>
<ul class="cards" id="col-${status}">${here.map((t) => card(t, writable, titles))}</ul>
</section>`;
    });
    return html`<h1>Board</h1>
<p class="summary">${total} task${total === 1 ? '' : 's'}${truncated ? ` (first ${tasks.length} shown)` : ''} · ${writable ? 'drag a card to another column, or use its Move control' : 'read-only: open the dashboard with a write token (mesh ui --write) to move cards'}</p>
<div class="board${writable ? ' writable' : ''}">${columns}</div>`;
  },
};
