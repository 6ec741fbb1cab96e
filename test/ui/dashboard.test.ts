import { request } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { VERSION } from '../../src/version.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { IncidentService } from '../../src/devops/IncidentService.js';
import { callDaemon, freePort, joinMesh, TestHost } from '../helpers/meshHosts.js';
import { launchChromium, screenshotPath, SKIP_BROWSER_TESTS } from './browser.js';

interface Opened {
  url: string;
  port: number;
  access: 'read' | 'write';
}

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

/** A page that records any sign of script execution from content: dialogs, page errors, CSP refusals. */
async function watchedPage(context: BrowserContext, signs: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (d) => {
    signs.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => signs.push(`pageerror: ${e.message}`));
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

  beforeAll(async () => {
    // First: under CI=true without a browser, this is the failure (before any daemon starts).
    browser = await launchChromium();
    alpha = await TestHost.create('alpha');
    beta = await TestHost.create('beta');
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
      await expect(row.innerText()).resolves.toContain('beta');
      // The member's own version, from its presence report (not just this host's).
      await row.locator('td.version', { hasText: VERSION }).waitFor();
      await expect(page.locator('#connections').innerText()).resolves.toMatch(/alpha ↔ beta|beta ↔ alpha/);
      await page.locator('#connected-count', { hasText: '1' }).waitFor();
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

  it('a read-only session cannot move a card: 403, and the card stays where it was', async () => {
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
      const status = await page.evaluate(async ({ id, csrf }) => {
        const res = await fetch(`/api/tasks/${id}/move`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ status: 'done' }) });
        return res.status;
      }, { id: task.id, csrf: csrf! });
      expect(status).toBe(403);
      expect((await callDaemon(alpha, 'task.get', { task_id: task.id })).status).toBe('todo');
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
      await page.screenshot({ path: screenshotPath('search') });

      await page.locator(`.result[data-memory-id="${id}"] a.history-link`).click();
      await page.locator('#memory-content').waitFor();
      expect(await page.locator('#memory-content').textContent()).toBe(`hostile note ${HOSTILE}`);
      await page.locator('#history tbody tr').first().waitFor();
      expect(await page.locator('#history').innerText()).toMatch(/alpha/);
      await page.screenshot({ path: screenshotPath('memory-history') });

      const origin = new URL(alphaRead.url).origin;
      await page.goto(`${origin}/board`);
      await page.locator('.card-title', { hasText: 'card <script>' }).waitFor();
      await page.goto(`${origin}/roster`);
      await page.locator('tr[data-agent]').first().waitFor();
      expect(await page.locator('tr[data-agent] .hint').first().textContent()).toContain('<img src=x onerror=alert(1)>');
      await page.screenshot({ path: screenshotPath('roster') });
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
});
