import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { MAX_TASK_COMMENT_CHARS, UI_EVENT_KEEPALIVE_MS, UI_MAX_BODY_BYTES, UI_MAX_EVENT_CLIENTS } from '../constants.js';
import { TASK_STATUSES } from '../domain/TaskDoc.js';
import { MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import { PACKAGE_ROOT } from '../version.js';
import { CoalescingWriter } from './CoalescingWriter.js';
import { LiveEvents, type LiveEvent } from './LiveEvents.js';
import { boardPage } from './pages/boardPage.js';
import { fleetPage } from './pages/fleetPage.js';
import { historyPage } from './pages/historyPage.js';
import { html } from './pages/html.js';
import { incidentsPage } from './pages/incidentsPage.js';
import { layout } from './pages/layout.js';
import { rosterPage } from './pages/rosterPage.js';
import { searchPage } from './pages/searchPage.js';
import type { UiPage } from './pages/UiPage.js';
import { hostCheck, requireToken, requireWrite, securityHeaders, type UiEnv } from './uiSecurity.js';
import type { UiSource } from './UiSource.js';
import type { ParamsOf } from '../daemon/methodMap.js';
import type { UiTokens } from './UiTokens.js';

export const UI_PAGES: readonly UiPage[] = [fleetPage, boardPage, rosterPage, searchPage, incidentsPage, historyPage];

/** The dashboard's static files: hand-written, served from the package as they are (no build, no CDN). */
const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8', 'icon.svg': 'image/svg+xml' };
const ASSET_DIR = join(PACKAGE_ROOT, 'src', 'ui', 'assets');

const MoveBody = z.object({ status: z.enum(TASK_STATUSES) }).strict();
const CommentBody = z.object({ comment: z.string().trim().min(1).max(MAX_TASK_COMMENT_CHARS) }).strict();

export interface UiServerDeps {
  source: UiSource;
  tokens: UiTokens;
  /** This host's name, in the page titles. */
  host: string;
  logger: Logger;
}

/** HTTP status of a daemon error met while serving a page or a write. */
function statusOf(err: MeshError): 400 | 404 | 409 | 503 {
  switch (err.code) {
    case 'INVALID_INPUT':
    case 'AMBIGUOUS_ID':
      return 400;
    case 'NOT_FOUND':
    case 'ERASED':
      return 404;
    case 'REPLICATION_UNAVAILABLE':
    case 'SHUTTING_DOWN':
      return 503;
    default:
      return 409;
  }
}

/**
 * `mesh ui`: the dashboard, served by the daemon on 127.0.0.1 only. Pages are rendered on the
 * server from the daemon's own methods; a small module refreshes the live region when a commit
 * event arrives over server-sent events.
 */
export class UiServer {
  private server: Server | undefined;
  private boundPort = 0;
  private readonly events: LiveEvents;
  private readonly assets = new Map<string, string>();
  /** Closes the open event streams when the server stops. */
  private readonly streamEnders = new Set<() => void>();

  constructor(private readonly deps: UiServerDeps) {
    this.events = new LiveEvents(deps.source);
  }

  get port(): number {
    return this.boundPort;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Listens on 127.0.0.1:`port`; PORT_IN_USE when it is taken. */
  async start(port: number): Promise<void> {
    for (const name of Object.keys(ASSETS)) this.assets.set(name, await readFile(join(ASSET_DIR, name), 'utf8'));
    const server = createAdaptorServer({ fetch: this.app().fetch }) as Server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new MeshError('PORT_IN_USE', `port ${port} on 127.0.0.1 is in use; choose another with --port`) : err);
      server.once('error', onError);
      // Loopback only: the token is the only guard, and it should not face the network.
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.events.start();
    this.deps.logger.info({ port: this.boundPort }, 'dashboard listening on 127.0.0.1');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.events.stop();
    for (const end of this.streamEnders) end();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private app(): Hono<UiEnv> {
    const port = () => this.boundPort;
    const tokens = () => this.deps.tokens;
    const app = new Hono<UiEnv>();
    app.use('*', securityHeaders());
    app.use('*', hostCheck(port));
    app.use('*', requireToken(tokens, port));
    app.onError((err, c) => {
      if (err instanceof MeshError) return c.text(`${err.code}: ${err.message}`, statusOf(err));
      this.deps.logger.error({ err: err.message, path: c.req.path }, 'dashboard request failed');
      return c.text('500: the dashboard failed to answer; see the daemon log', 500);
    });

    // The query goes along: a token in it is checked (and its cookie set) by the page itself, not
    // on a redirect, whose cookie a SameSite=Strict rule may withhold after a cross-site click.
    app.get('/', (c) => c.redirect(`/fleet${new URL(c.req.url).search}`, 303));
    app.get('/assets/:name', (c) => {
      const name = c.req.param('name');
      const body = this.assets.get(name);
      if (body === undefined) return c.text('not found', 404);
      return c.body(body, 200, { 'Content-Type': ASSETS[name]!, 'Cache-Control': 'no-cache' });
    });
    app.get('/events', (c) => this.eventStream(c));

    for (const page of UI_PAGES) {
      const path = page.slug === historyPage.slug ? `/${page.slug}/:id` : `/${page.slug}`;
      app.get(path, async (c) => c.html(layout({ page, pages: UI_PAGES, host: this.deps.host, access: c.get('access'), csrf: tokens().csrfFor(c.get('token')), fragment: this.fragmentUrl(c), body: await this.renderPage(page, c) }).value));
      app.get(`/fragment${path}`, async (c) => c.html((await this.renderPage(page, c)).value));
    }

    const limit = bodyLimit({ maxSize: UI_MAX_BODY_BYTES, onError: (c) => c.json({ error: { code: 'CONTENT_TOO_LARGE', message: 'request body too large' } }, 413) });
    app.post('/api/tasks/:id/move', limit, requireWrite(tokens, port), async (c) => {
      const body = MoveBody.safeParse(await c.req.json().catch(() => null));
      if (!body.success) return c.json({ error: { code: 'INVALID_INPUT', message: `status must be one of: ${TASK_STATUSES.join(', ')}` } }, 400);
      return this.write(c, { task_id: c.req.param('id'), status: body.data.status });
    });
    app.post('/api/tasks/:id/comment', limit, requireWrite(tokens, port), async (c) => {
      const body = CommentBody.safeParse(await c.req.json().catch(() => null));
      if (!body.success) return c.json({ error: { code: 'INVALID_INPUT', message: `a comment is 1 to ${MAX_TASK_COMMENT_CHARS} characters` } }, 400);
      return this.write(c, { task_id: c.req.param('id'), comment: body.data.comment });
    });
    app.notFound((c) => c.text('404: no such page', 404));
    return app;
  }

  /** The same path under /fragment/, with the query minus the token. */
  private fragmentUrl(c: Context<UiEnv>): string {
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    const q = url.searchParams.toString();
    return `/fragment${url.pathname}${q ? `?${q}` : ''}`;
  }

  private async renderPage(page: UiPage, c: Context<UiEnv>) {
    const query = new URL(c.req.url).searchParams;
    try {
      return await page.render({ source: this.deps.source, query, access: c.get('access'), ...(page === historyPage ? { id: c.req.param('id') } : {}) });
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      c.status(statusOf(err));
      return html`<h1>${page.title}</h1><p class="notice" role="alert">${err.code}: ${err.message}</p>`;
    }
  }

  /** A board write through the daemon's task.update: the same validation and rules as every other door. */
  private async write(c: Context<UiEnv>, params: Record<string, unknown>): Promise<Response> {
    try {
      // The request body is checked by task.update's own schema at dispatch, as from any other door.
      const task = await this.deps.source.call('task.update', params as ParamsOf<'task.update'>);
      return c.json({ ok: true, task: { id: task.id, status: task.status } });
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
      return c.json({ error: { code: err.code, message: err.message } }, statusOf(err));
    }
  }

  /** Server-sent events: a `commit` event per durable commit (collection and id only; coalesced per collection while a frame is being written). */
  private eventStream(c: Context<UiEnv>): Response {
    if (this.events.size >= UI_MAX_EVENT_CLIENTS) return c.text(`503: at most ${UI_MAX_EVENT_CLIENTS} live dashboards at once`, 503);
    return streamSSE(c, async (stream) => {
      // One frame at a time, so two commits arriving together never interleave their frames.
      // Commits that arrive while a frame is being written are kept as the newest per collection
      // (all a page needs to refresh): a client that reads nothing (a suspended tab) holds a few
      // frames here, not one per commit for as long as it stays connected.
      const writer = new CoalescingWriter();
      const unsubscribe = this.events.subscribe((e: LiveEvent) => writer.send(`commit:${e.collection}`, () => stream.writeSSE({ event: 'commit', data: JSON.stringify(e) })));
      const keepalive = setInterval(() => writer.send('keepalive', () => stream.write(': keepalive\n\n').then(() => undefined)), UI_EVENT_KEEPALIVE_MS);
      let end = () => {};
      try {
        await new Promise<void>((resolve) => {
          end = resolve;
          stream.onAbort(resolve);
          this.streamEnders.add(resolve);
          writer.send('ready', () => stream.writeSSE({ event: 'ready', data: '{}' }));
        });
      } finally {
        clearInterval(keepalive);
        unsubscribe();
        this.streamEnders.delete(end);
      }
    });
  }
}
