// hivemesh dashboard: live updates, board moves and comments. Hand-written, served as is (no build).
// Everything from the daemon is either a server-rendered fragment (escaped on the server, parsed
// inertly here) or JSON shown with textContent; this module never turns data into markup.

const view = document.getElementById('view');
const liveStatus = document.getElementById('live-status');
const flash = document.getElementById('flash');
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

// The token has set the session cookie: keep it out of the address bar, history and bookmarks.
const here = new URL(location.href);
if (here.searchParams.has('token')) {
  here.searchParams.delete('token');
  history.replaceState(null, '', here.pathname + here.search + here.hash);
}

function say(text, isError = false) {
  flash.textContent = text;
  flash.hidden = text === '';
  flash.classList.toggle('error', isError);
}

let refreshing = false;
let again = false;
let deferred = false;
let refreshes = 0;

/** Is the person typing in the live region? Then a refresh waits, so their text is not replaced. */
function typing() {
  const el = document.activeElement;
  return el instanceof HTMLInputElement && view.contains(el) && el.type !== 'submit' && el.value !== '';
}

/** Re-renders the live region from its fragment URL, keeping focus and open details where they were. */
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  if (typing()) {
    deferred = true;
    return;
  }
  refreshing = true;
  try {
    const res = await fetch(view.dataset.fragment, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (res.status === 401) {
      say('The dashboard session ended: open the URL `mesh ui` prints.', true);
      return;
    }
    const text = await res.text();
    // DOMParser documents are inert: nothing in them runs or loads until adopted, and the server escaped all data.
    const parsed = new DOMParser().parseFromString(text, 'text/html');
    const focusId = document.activeElement?.id;
    const open = new Set([...view.querySelectorAll('details[open]')].map((d) => d.closest('[id]')?.id).filter(Boolean));
    view.replaceChildren(...[...parsed.body.childNodes].map((n) => document.adoptNode(n)));
    for (const id of open) document.getElementById(id)?.querySelector('details')?.setAttribute('open', '');
    if (focusId) document.getElementById(focusId)?.focus();
    refreshes += 1;
    view.dataset.refreshes = String(refreshes);
  } catch (err) {
    say(`Could not refresh: ${err instanceof Error ? err.message : String(err)}`, true);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

document.addEventListener('focusout', () => {
  if (deferred) {
    deferred = false;
    // After the focus has moved: typing() then looks at the new element.
    setTimeout(() => void refresh(), 0);
  }
});

// Live updates: the daemon sends one `commit` event per durable write (local or replicated).
const live = new Set((view.dataset.live ?? '').split(',').filter(Boolean));
function connect() {
  const events = new EventSource('/events');
  let wasDown = false;
  events.addEventListener('ready', () => {
    liveStatus.textContent = 'live';
    liveStatus.classList.add('on');
    // Whatever changed while the stream was down.
    if (wasDown) void refresh();
  });
  events.addEventListener('commit', (e) => {
    const event = JSON.parse(e.data);
    if (live.has(event.collection)) void refresh();
  });
  events.addEventListener('error', () => {
    wasDown = true;
    liveStatus.textContent = 'reconnecting…';
    liveStatus.classList.remove('on');
  });
}
connect();

const every = Number(view.dataset.refreshMs ?? 0);
if (every > 0) setInterval(() => void refresh(), every);

// Writes (board moves and comments), allowed only to write sessions; the server checks again.
async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    say(answer.error?.message ?? `refused (${res.status})`, true);
    return false;
  }
  say('');
  return true;
}

async function move(taskId, status) {
  if (await post(`/api/tasks/${encodeURIComponent(taskId)}/move`, { status })) await refresh();
}

view.addEventListener('submit', (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement)) return;
  const taskId = form.dataset.taskId;
  if (taskId === undefined) return; // the search form submits normally (GET)
  e.preventDefault();
  const data = new FormData(form);
  if (form.classList.contains('move')) void move(taskId, String(data.get('status')));
  else if (form.classList.contains('comment')) {
    void post(`/api/tasks/${encodeURIComponent(taskId)}/comment`, { comment: String(data.get('comment')) }).then((ok) => {
      if (!ok) return;
      // Emptied first: a refresh waits while the focused field holds text.
      form.reset();
      return refresh();
    });
  }
});

// Drag and drop on the board (the Move control on each card does the same from the keyboard).
view.addEventListener('dragstart', (e) => {
  const card = e.target instanceof Element ? e.target.closest('.card[data-task-id]') : null;
  if (!card || !e.dataTransfer) return;
  e.dataTransfer.setData('text/plain', card.dataset.taskId);
  e.dataTransfer.effectAllowed = 'move';
  card.classList.add('dragging');
});
view.addEventListener('dragend', (e) => {
  if (e.target instanceof Element) e.target.classList.remove('dragging');
});
view.addEventListener('dragover', (e) => {
  const column = e.target instanceof Element ? e.target.closest('.writable .column') : null;
  if (!column) return;
  e.preventDefault();
  column.classList.add('drop');
});
view.addEventListener('dragleave', (e) => {
  const column = e.target instanceof Element ? e.target.closest('.column') : null;
  column?.classList.remove('drop');
});
view.addEventListener('drop', (e) => {
  const column = e.target instanceof Element ? e.target.closest('.writable .column') : null;
  if (!column || !e.dataTransfer) return;
  e.preventDefault();
  column.classList.remove('drop');
  const taskId = e.dataTransfer.getData('text/plain');
  if (taskId) void move(taskId, column.dataset.status);
});
