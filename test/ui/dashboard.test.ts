import { request } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { VERSION } from '../../src/version.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { IncidentService } from '../../src/devops/IncidentService.js';
import { callDaemon, eventually, freePort, joinMesh, TestHost } from '../helpers/meshHosts.js';
import { launchChromium, screenshotPath, SKIP_BROWSER_TESTS } from './browser.js';

interface Opened {
  url: string;
  port: number;
  access: 'read' | 'write';
}

/** The second host's name in the mesh (its TestHost is named "beta": agent names are prop-beta). */
const BETA = 'beta lab';

/** A memory that would run code if any page treated it as HTML. */
const HOSTILE = `<script>window.__pwned = 'script'; alert('script ran')</script><img src="x" onerror="window.__pwned = 'img'; alert('img ran')">`;

/** GET or POST with any headers (Host included, which fetch will not let a caller set). */
function raw(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end(opts.body);
  });
}

/** In the page: the form controls that have neither a <label> nor an aria-label (the tests have no DOM types: a string). */
const UNLABELLED_CONTROLS = `[...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
  .map((el) => el.outerHTML.slice(0, 120))`;

/** In the page: aria-labelledby values naming an id that is not in the page (e.g. an id made from a name with a space). */
const BROKEN_ARIA_REFERENCES = `[...document.querySelectorAll('[aria-labelledby]')]
  .map((el) => el.getAttribute('aria-labelledby'))
  .filter((ids) => ids.split(/\\s+/).some((id) => !document.getElementById(id)))`;

/** A page that records any sign of script execution from content: dialogs, page errors, CSP refusals. */
async function watchedPage(context: BrowserContext, signs: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (d) => {
    signs.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => signs.push(`pageerror: ${e.message}`));
  // Which resource failed, beside the console's bare "Failed to load resource".
  page.on('response', (r) => {
    if (r.status() >= 400) signs.push(`${r.status()}: ${new URL(r.url()).pathname}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || /refused|pwned|ran/i.test(m.text())) signs.push(`console ${m.type()}: ${m.text()}`);
  });
  return page;
}

describe.skipIf(SKIP_BROWSER_TESTS)('mesh ui in a real browser (two meshed daemons)', () => {
  let alpha: TestHost;
  let beta: TestHost;
  let browser: Browser;
  let alphaWrite: Opened;
  let alphaRead: Opened;
  let betaRead: Opened;
  let betaId: string;
  let agent: DaemonClient | undefined;
  const sessions: DaemonClient[] = [];

  beforeAll(async () => {
    // First: under CI=true without a browser, this is the failure (before any daemon starts).
    browser = await launchChromium();
    alpha = await TestHost.create('alpha');
    // Host names are free text: the second host's has a space, as a person may well write it.
    beta = new TestHost('beta', await freePort());
    const init = await beta.cli(['init', '--name', BETA]);
    if (init.code !== 0) throw new Error(init.stderr);
    await alpha.start();
    await joinMesh(alpha, beta);
    betaId = await beta.peerId();
    const [pa, pb] = [await freePort(), await freePort()];
    alphaWrite = await alpha.json<Opened>(['ui', '--port', String(pa), '--write']);
    alphaRead = await alpha.json<Opened>(['ui']);
    betaRead = await beta.json<Opened>(['ui', '--port', String(pb)]);
  }, 180_000);

  afterAll(async () => {
    agent?.close();
    for (const s of sessions) s.close();
    await browser?.close();
    await alpha?.dispose();
    await beta?.dispose();
  });

  it('prints a loopback URL with a read or a write token, and keeps the port it was given', () => {
    expect(alphaWrite.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fleet\?token=[\w-]{40,}$/);
    expect(alphaWrite.access).toBe('write');
    // Without --port, the running dashboard is reused; the read token differs from the write one.
    expect(alphaRead.port).toBe(alphaWrite.port);
    expect(alphaRead.access).toBe('read');
    expect(new URL(alphaRead.url).searchParams.get('token')).not.toBe(new URL(alphaWrite.url).searchParams.get('token'));
  });

  it('answers 401 without a token or with a wrong one, on pages, fragments, events, assets and writes', async () => {
    const port = alphaWrite.port;
    const host = { Host: `127.0.0.1:${port}` };
    for (const path of ['/', '/fleet', '/fragment/board', '/events', '/assets/app.js', '/memory/x']) {
      expect((await raw(port, path, { headers: host })).status, path).toBe(401);
    }
    expect((await raw(port, '/fleet?token=not-the-token', { headers: host })).status).toBe(401);
    expect((await raw(port, '/fleet', { headers: { ...host, Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await raw(port, '/api/tasks/x/move', { method: 'POST', headers: { ...host, 'Content-Type': 'application/json' }, body: '{"status":"done"}' })).status).toBe(401);
    // The right token in a header works: the 401s above are the token's doing.
    const token = new URL(alphaRead.url).searchParams.get('token')!;
    expect((await raw(port, '/fleet', { headers: { ...host, Authorization: `Bearer ${token}` } })).status).toBe(200);
    // A request addressed to another name (DNS rebinding) is refused even with the token.
    expect((await raw(port, '/fleet', { headers: { Host: `evil.example:${port}`, Authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  it('shows both meshed daemons connected on the fleet page, with versions and the link between them', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    try {
      const page = await context.newPage();
      await page.goto(alphaRead.url);
      // The token has been moved into the session cookie and out of the address bar.
      await page.waitForURL((u) => !u.searchParams.has('token'));
      const row = page.locator(`#fleet-table tr[data-peer="${betaId}"]`);
      await row.locator('td.state', { hasText: /^connected$/ }).waitFor();
      await expect(row.innerText()).resolves.toContain(BETA);
      // The member's own version, from its presence report (not just this host's).
      await row.locator('td.version', { hasText: VERSION }).waitFor();
      await expect(page.locator('#connections').innerText()).resolves.toMatch(/alpha ↔ beta lab|beta lab ↔ alpha/);
      await page.locator('#connected-count', { hasText: '1' }).waitFor();
      // The picture: a node per member and one line for their connection.
      expect(await page.locator('svg.graph g.node').count()).toBe(2);
      expect(await page.locator('svg.graph line.edge').count()).toBe(1);
      expect(await page.locator('svg.graph g.node text').allTextContents()).toEqual(expect.arrayContaining(['alpha', BETA]));
      await page.locator('#live-status', { hasText: 'live' }).waitFor();
      await page.screenshot({ path: screenshotPath('fleet') });
    } finally {
      await context.close();
    }
  });

  it('a card moved on host A (by dragging, then from the keyboard) moves on host B\'s open dashboard without a reload', async () => {
    const dep = await callDaemon(alpha, 'task.create', { title: 'Rotate the proxy certificates', priority: 'high' });
    const task = await callDaemon(alpha, 'task.create', { title: 'Upgrade postgres on db-2', priority: 'critical', dependencies: [dep.id] });
    await callDaemon(alpha, 'task.update', { task_id: dep.id, status: 'in_progress' });
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    const contextB = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    try {
      const onA = await context.newPage();
      const onB = await contextB.newPage();
      await onA.goto(alphaWrite.url.replace('/fleet?', '/board?'));
      await onB.goto(betaRead.url.replace('/fleet?', '/board?'));
      await onB.locator('#live-status', { hasText: 'live' }).waitFor();
      // B learns of both tasks by replication, live: it did not have them when the page loaded.
      const cardOnB = onB.locator(`.card[data-task-id="${task.id}"]`);
      await cardOnB.waitFor();
      await onB.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));

      // Drag on A: the dependency from "in progress" to "done" (which unblocks the other card)...
      await onA.locator(`section.column[data-status="done"]`).waitFor();
      await onA.locator(`.card[data-task-id="${dep.id}"]`).dragTo(onA.locator('section.column[data-status="done"]'));
      await onA.locator(`#col-done .card[data-task-id="${dep.id}"]`).waitFor();
      await onB.locator(`#col-done .card[data-task-id="${dep.id}"]`).waitFor();

      // ...and from the keyboard: focus the card's Move control, choose a column, press Enter.
      const select = onA.locator(`.card[data-task-id="${task.id}"] form.move select`);
      await select.focus();
      await select.selectOption('review');
      await onA.keyboard.press('Tab');
      await onA.keyboard.press('Enter');
      await onA.locator(`#col-review .card[data-task-id="${task.id}"]`).waitFor();
      await onB.locator(`#col-review .card[data-task-id="${task.id}"]`).waitFor();
      // A comment typed on A (Enter submits its form) shows on B's card too.
      const comment = onA.locator(`.card[data-task-id="${task.id}"] form.comment input`);
      await comment.focus();
      await onA.keyboard.type('migrated <b>ok</b>, checking replicas');
      await onA.keyboard.press('Enter');
      await onA.locator(`.card[data-task-id="${task.id}"] .comments`, { hasText: 'migrated <b>ok</b>' }).waitFor({ state: 'attached' });
      expect(await comment.inputValue()).toBe('');
      await onB.locator(`.card[data-task-id="${task.id}"] .comments`, { hasText: 'migrated <b>ok</b>, checking replicas' }).waitFor({ state: 'attached' });
      expect(await onB.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      expect((await callDaemon(beta, 'task.get', { task_id: task.id })).status).toBe('review');
      await onA.screenshot({ path: screenshotPath('board') });
      await onB.setViewportSize({ width: 390, height: 844 });
      await onB.screenshot({ path: screenshotPath('board-phone') });
    } finally {
      await context.close();
      await contextB.close();
    }
  });

  it('a read-only session cannot move a card or comment: 403, and the card stays as it was', async () => {
    const task = await callDaemon(alpha, 'task.create', { title: 'Read-only cannot touch this' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(alphaRead.url.replace('/fleet?', '/board?'));
      const card = page.locator(`#col-todo .card[data-task-id="${task.id}"]`);
      await card.waitFor();
      // No move controls are offered to a read-only session...
      expect(await card.locator('form.move').count()).toBe(0);
      expect(await card.getAttribute('draggable')).toBeNull();
      // ...and the write endpoint refuses it even with the page's own anti-CSRF value.
      const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');
      const statuses = await page.evaluate(async ({ id, csrf }) => {
        const post = async (what: string, body: unknown) => (await fetch(`/api/tasks/${id}/${what}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) })).status;
        return { move: await post('move', { status: 'done' }), comment: await post('comment', { comment: 'read-only comment' }) };
      }, { id: task.id, csrf: csrf! });
      expect(statuses).toEqual({ move: 403, comment: 403 });
      const after = await callDaemon(alpha, 'task.get', { task_id: task.id });
      expect(after.status).toBe('todo');
      expect(after.comments).toEqual([]);
      await page.reload();
      await page.locator(`#col-todo .card[data-task-id="${task.id}"]`).waitFor();
    } finally {
      await context.close();
    }
  });

  it('a write session still needs the anti-CSRF header, a JSON body and its own origin', async () => {
    const task = await callDaemon(alpha, 'task.create', { title: 'CSRF target' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(alphaWrite.url.replace('/fleet?', '/board?'));
      await page.locator(`.card[data-task-id="${task.id}"]`).waitFor();
      const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content');
      const results = await page.evaluate(async ({ id, csrf }) => {
        const post = async (headers: Record<string, string>, body: string) => (await fetch(`/api/tasks/${id}/move`, { method: 'POST', headers, body })).status;
        return {
          noHeader: await post({ 'Content-Type': 'application/json' }, '{"status":"done"}'),
          wrongHeader: await post({ 'Content-Type': 'application/json', 'X-CSRF-Token': 'x' }, '{"status":"done"}'),
          formBody: await post({ 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf }, 'status=done'),
          badStatus: await post({ 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, '{"status":"gone"}'),
        };
      }, { id: task.id, csrf: csrf! });
      expect(results).toEqual({ noHeader: 403, wrongHeader: 403, formBody: 415, badStatus: 400 });
      const token = new URL(alphaWrite.url).searchParams.get('token')!;
      const port = alphaWrite.port;
      const foreign = await raw(port, `/api/tasks/${task.id}/move`, {
        method: 'POST',
        headers: { Host: `127.0.0.1:${port}`, Cookie: `hivemesh_ui_${port}=${token}`, Origin: 'http://evil.example', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf! },
        body: '{"status":"done"}',
      });
      expect(foreign.status).toBe(403);
      expect((await callDaemon(alpha, 'task.get', { task_id: task.id })).status).toBe('todo');
    } finally {
      await context.close();
    }
  });

  it('search: hybrid with filters, results with provenance and a history link; the history shows who changed which field, on which host, when', async () => {
    const mine = await callDaemon(alpha, 'memory.store', { content: 'Key rotation of the VPN gateway: the old keys stay valid for a day', category: 'infrastructure', project: 'network', tags: ['vpn'] });
    const theirs = await callDaemon(beta, 'memory.store', { content: 'Key rotation of the database passwords runs every Sunday night', category: 'security', project: 'databases', tags: ['postgres'] });
    await eventually(async () => (await alpha.search('rotation')).some((m) => m.id === theirs.id) || undefined, 'beta\'s memory on alpha');
    await eventually(async () => (await beta.search('rotation')).some((m) => m.id === mine.id) || undefined, 'alpha\'s memory on beta');
    // Beta edits alpha's memory: its content and its tags.
    await callDaemon(beta, 'memory.update', { memory_id: mine.id, content: 'Key rotation of the VPN gateway: the old keys stay valid for two days', tags: ['vpn', 'keys'] });
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(alphaRead.url.replace('/fleet?', '/search?'));
      await page.locator('#live-status', { hasText: 'live' }).waitFor();
      // The form, from the keyboard: a query, the default (hybrid) mode, no filter.
      await page.getByLabel('Query').fill('key rotation');
      await page.getByLabel('Query').press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === 'key rotation');
      expect(await page.getByLabel('Mode').inputValue()).toBe('hybrid');
      await page.locator(`.result[data-memory-id="${theirs.id}"]`).waitFor();
      await page.locator(`.result[data-memory-id="${mine.id}"]`).waitFor();
      // A filter on the host narrows to what beta wrote; its provenance says so.
      await page.getByLabel('Host').selectOption(BETA);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL((u) => u.searchParams.get('machine') === BETA);
      await page.locator(`.result[data-memory-id="${theirs.id}"]`).waitFor();
      expect(await page.locator('.result').count()).toBe(1);
      expect(await page.locator(`.result[data-memory-id="${theirs.id}"] .provenance`).innerText()).toMatch(/^security · databases · written on beta lab by prop-beta · .* · score \d/);
      // A project filter (host back to any) finds alpha's memory, edited on beta.
      await page.getByLabel('Host').selectOption('');
      await page.getByLabel('Project').selectOption('network');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL((u) => u.searchParams.get('project') === 'network');
      const result = page.locator(`.result[data-memory-id="${mine.id}"]`);
      await result.locator('.content', { hasText: 'two days' }).waitFor();
      expect(await page.locator('.result').count()).toBe(1);
      expect(await result.locator('.provenance').innerText()).toMatch(/^infrastructure · network · written on alpha by prop-alpha · .* · edited .* by prop-beta · score \d/);
      await page.screenshot({ path: screenshotPath('search') });

      await result.locator('a.history-link').click();
      await page.waitForURL((u) => u.pathname === `/memory/${mine.id}`);
      const rows = page.locator('#history tbody tr');
      await rows.nth(1).waitFor();
      // Newest first: beta's edit (content and tags), then alpha's creation; each with its time.
      const [edit, created] = await Promise.all([rows.nth(0).locator('td').allInnerTexts(), rows.nth(1).locator('td').allInnerTexts()]);
      expect(edit[1]).toBe('prop-beta');
      expect(edit[2]).toBe(`${BETA} (signature verified)`);
      expect(edit[4]!.split(', ')).toEqual(expect.arrayContaining(['content', 'tags']));
      expect(edit[4]).not.toMatch(/category|project/);
      expect(created[1]).toBe('prop-alpha');
      expect(created[2]).toBe('alpha (signature verified)');
      expect(created[3]).toBe('create');
      for (const row of [edit, created]) expect(Date.parse(row[0]!.split('\n')[0]!)).toBeGreaterThan(Date.now() - 10 * 60_000);
      await page.screenshot({ path: screenshotPath('memory-history') });
    } finally {
      await context.close();
    }
  });

  it('roster: agents by host, with status by heartbeat age, capabilities and open tasks', async () => {
    const onAlpha = await DaemonClient.connect(homePaths(alpha.home.dir).socket, { agent: 'claude-code', session: 'roster-alpha' });
    sessions.push(onAlpha);
    const onBeta = await DaemonClient.connect(homePaths(beta.home.dir).socket, { agent: 'claude-code', session: 'roster-beta' });
    sessions.push(onBeta);
    const sre = (await onAlpha.call('agent.register', { role: 'sre', capabilities: ['kubernetes', 'postgres'] })).agent;
    const reviewer = (await onBeta.call('agent.register', { role: 'reviewer', capabilities: ['code-review'] })).agent;
    await callDaemon(alpha, 'task.create', { title: 'Drain node k8s-3', assignee: sre.id });
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(alphaRead.url.replace('/fleet?', '/roster?'));
      // Beta's agent arrives by replication, live.
      const theirs = page.locator(`section.host:has(h2:text-is("${BETA}")) tr[data-agent="${reviewer.id}"]`);
      await theirs.waitFor();
      const ours = page.locator(`section.host:has(h2:text-is("alpha")) tr[data-agent="${sre.id}"]`);
      await ours.waitFor();
      const cells = await ours.locator('td').allInnerTexts();
      const row = `alpha's row: ${JSON.stringify(cells)}`;
      expect(cells[0], row).toBe('active');
      expect(cells[1], row).toMatch(/^\d+ s ago$/);
      expect(cells[2]!.split(/\s+/), row).toEqual(expect.arrayContaining(['kubernetes', 'postgres']));
      expect(cells[3], row).toBe('1');
      const theirCells = await theirs.locator('td').allInnerTexts();
      const theirRow = `beta's row: ${JSON.stringify(theirCells)}`;
      expect(theirCells[0], theirRow).toMatch(/^(active|idle|offline)$/);
      // The heartbeat age comes in tenths of a second: shown in whole units (test/unit/ui/rosterHeartbeat.test.ts).
      expect(theirCells[1], theirRow).toMatch(/^(\d+ (s|min|h|d) ago|not heard since this host started)$/);
      expect(theirCells[2], theirRow).toContain('code-review');
      await page.screenshot({ path: screenshotPath('roster') });
    } finally {
      await context.close();
    }
  });

  it('renders a memory holding <script> and <img onerror> as text on every page that shows it, and nothing runs', async () => {
    const { id } = await callDaemon(alpha, 'memory.store', { content: `hostile note ${HOSTILE}`, tags: ['<b>tag</b>'], project: '<i>proj</i>' });
    await callDaemon(alpha, 'task.create', { title: `card ${HOSTILE}`, description: HOSTILE });
    agent = await DaemonClient.connect(homePaths(alpha.home.dir).socket, { agent: 'claude-code', session: 'ui-test-session' });
    await agent.call('agent.register', { role: `<img src=x onerror=alert(1)>`, capabilities: ['postgres', 'terraform'] });
    await agent.call('agent.broadcast', { message: `broadcast ${HOSTILE}`, severity: 'warning' });
    await new IncidentService((method, params) => callDaemon(alpha, method, params)).record({ title: `<script>alert('title')</script>`, description: `incident ${HOSTILE}`, severity: 'high', affected_systems: ['db-2'] });
    const signs: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    try {
      const page = await watchedPage(context, signs);
      await page.goto(alphaRead.url.replace('/fleet?', `/search?q=hostile&mode=keyword&`));
      const result = page.locator(`.result[data-memory-id="${id}"] .content`);
      await result.waitFor();
      expect(await result.textContent()).toBe(`hostile note ${HOSTILE}`);
      expect(await page.locator(`.result[data-memory-id="${id}"] .tags`).textContent()).toContain('<b>tag</b>');
      await page.screenshot({ path: screenshotPath('search-hostile') });

      await page.locator(`.result[data-memory-id="${id}"] a.history-link`).click();
      await page.locator('#memory-content').waitFor();
      expect(await page.locator('#memory-content').textContent()).toBe(`hostile note ${HOSTILE}`);
      await page.locator('#history tbody tr').first().waitFor();
      expect(await page.locator('#history').innerText()).toMatch(/alpha/);
      await page.screenshot({ path: screenshotPath('memory-history-hostile') });

      const origin = new URL(alphaRead.url).origin;
      await page.goto(`${origin}/board`);
      await page.locator('.card-title', { hasText: 'card <script>' }).waitFor();
      await page.goto(`${origin}/roster`);
      await page.locator('tr[data-agent]').first().waitFor();
      expect(await page.locator('tr[data-agent] .hint').first().textContent()).toContain('<img src=x onerror=alert(1)>');
      await page.goto(`${origin}/incidents`);
      await page.locator('.incident h3', { hasText: "<script>alert('title')</script>" }).waitFor();
      await page.locator('.broadcast', { hasText: 'broadcast <script>' }).waitFor();
      await page.screenshot({ path: screenshotPath('incidents') });

      // The live path (a fragment fetched and swapped in) is held to the same rule.
      await agent.call('agent.broadcast', { message: `live ${HOSTILE}`, severity: 'critical' });
      await page.locator('.broadcast', { hasText: 'live <script>' }).waitFor();
      const executed = await page.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned ?? null);
      expect(executed).toBeNull();
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(signs).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('every page: each control has a label, a phone-width screen needs no sideways scrolling, nothing loads from another origin, and no vault value or token is in the markup', async () => {
    const memory = await callDaemon(alpha, 'memory.store', { content: 'A memory whose history page is checked at phone width' });
    // A vault secret: its value and its (sealed) notes must show on no page; no page is a vault page.
    const value = 'pg-Pa55-7f3c9e1d-value';
    const notes = 'rotate-after-incident-notes-41ad';
    await callDaemon(alpha, 'vault.create', { name: 'ops' });
    await callDaemon(alpha, 'vault.put', { vault: 'ops', name: 'prod-db-password', value, notes });
    const token = new URL(alphaWrite.url).searchParams.get('token')!;
    const origin = new URL(alphaWrite.url).origin;
    // Not isMobile: mobile emulation widens the layout viewport to the content, which would hide the overflow looked for.
    const phone = { width: 390, height: 844 };
    const context = await browser.newContext({ viewport: phone, hasTouch: true });
    const foreign: string[] = [];
    context.on('request', (r) => {
      if (new URL(r.url()).origin !== origin) foreign.push(r.url());
    });
    try {
      const page = await context.newPage();
      // The write session: the board then carries its Move and Comment controls too.
      await page.goto(alphaWrite.url);
      await page.waitForURL((u) => !u.searchParams.has('token'));
      for (const path of ['/fleet', '/board', '/roster', '/search?q=rotation', '/search?q=prod-db-password', '/incidents', `/memory/${memory.id}`]) {
        await page.goto(`${origin}${path}`);
        await page.locator('#live-status', { hasText: 'live' }).waitFor();
        const markup = await page.content();
        for (const secret of [value, notes, token]) expect(markup.includes(secret), `${path} shows a secret`).toBe(false);
        const unlabelled = await page.evaluate<string[]>(UNLABELLED_CONTROLS);
        expect(unlabelled, path).toEqual([]);
        expect(await page.evaluate<string[]>(BROKEN_ARIA_REFERENCES), path).toEqual([]);
        const width = await page.evaluate<number>('document.documentElement.scrollWidth');
        expect(width, `${path} is ${width} px wide on a ${phone.width} px screen`).toBeLessThanOrEqual(phone.width);
        // The page names its icon (else the browser asks for /favicon.ico, a 404 on the first visit), served from the package.
        const icon = await page.locator('link[rel="icon"]').getAttribute('href');
        expect(icon, path).toBe('/assets/icon.svg');
        const served = await page.request.get(`${origin}${icon}`);
        expect([served.status(), served.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
        // Keyboard users start from the skip link and the page navigation.
        await page.keyboard.press('Tab');
        expect(await page.evaluate<string | null>('document.activeElement?.textContent ?? null')).toBe('Skip to content');
      }
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a card changed on both hosts while apart shows the resolved conflict on the board', async () => {
    const task = await callDaemon(alpha, 'task.create', { title: 'Failover drill', priority: 'medium' });
    await eventually(async () => (await callDaemon(beta, 'task.list', { include_closed: true, limit: 500 })).tasks.some((t) => t.id === task.id) || undefined, 'the card on beta');
    // Apart: beta is down while alpha starts the card; then alpha is down while beta sends it to review.
    await beta.stop();
    await callDaemon(alpha, 'task.update', { task_id: task.id, status: 'in_progress' });
    await alpha.stop();
    await beta.start();
    await callDaemon(beta, 'task.update', { task_id: task.id, status: 'review' });
    await alpha.start();
    await eventually(async () => {
      const [a, b] = [await callDaemon(alpha, 'task.get', { task_id: task.id }), await callDaemon(beta, 'task.get', { task_id: task.id })];
      return a.conflicts.length > 0 && JSON.stringify(a.conflicts) === JSON.stringify(b.conflicts) ? true : undefined;
    }, 'both hosts to hold the merged card', 60_000);
    // The daemons restarted: the dashboard starts again on the same port, with the same tokens.
    const reopened = await alpha.json<Opened>(['ui', '--port', String(alphaWrite.port), '--write']);
    expect(reopened.url).toBe(alphaWrite.url);
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(reopened.url.replace('/fleet?', '/board?'));
      const card = page.locator(`.card[data-task-id="${task.id}"]`);
      await card.locator('.conflicts li', { hasText: /^status: kept "review" over "in_progress"/ }).waitFor();
      expect(await card.getAttribute('data-status')).toBe('review');
      await page.screenshot({ path: screenshotPath('board-conflict') });
    } finally {
      await context.close();
    }
  });
});
