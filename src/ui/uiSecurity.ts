import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { UiAccess, UiTokens } from './UiTokens.js';

export type UiEnv = { Variables: { access: UiAccess; token: string } };

/**
 * Nothing runs but the package's own module; no inline script or style, no other origin, no
 * framing. A memory that smuggled markup past the escaping still could not execute.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The session cookie is named after the port: cookies are per host, not per port, and two homes' dashboards share 127.0.0.1. */
export function cookieName(port: number): string {
  return `hivemesh_ui_${port}`;
}

/** Headers on every answer, errors included. */
export function securityHeaders(): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  };
}

/**
 * Only requests addressed to this loopback port: a web page elsewhere that points a DNS name it
 * controls at 127.0.0.1 (DNS rebinding) sends its own name as Host and is refused here.
 */
export function hostCheck(port: () => number): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const host = c.req.header('host');
    if (host !== `127.0.0.1:${port()}` && host !== `localhost:${port()}`) return c.text('unexpected Host header', 403);
    await next();
  };
}

function bearer(c: Context): string | undefined {
  const h = c.req.header('authorization');
  return h?.startsWith('Bearer ') ? h.slice('Bearer '.length).trim() : undefined;
}

/**
 * Who may look: a request carrying a dashboard token (in the URL `mesh ui` prints, a bearer
 * header, or the session cookie the first page set). Without one: 401. A token in the URL sets
 * an HttpOnly, SameSite=Strict cookie; the page then drops the token from the address bar.
 */
export function requireToken(tokens: () => UiTokens, port: () => number): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const fromUrl = c.req.query('token');
    const candidates = [fromUrl, bearer(c), getCookie(c, cookieName(port()))];
    for (const token of candidates) {
      const access = tokens().accessOf(token);
      if (!access || token === undefined) continue;
      c.set('access', access);
      c.set('token', token);
      if (token === fromUrl) setCookie(c, cookieName(port()), token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      await next();
      return;
    }
    c.header('WWW-Authenticate', 'Bearer realm="hivemesh"');
    return c.text('401: a dashboard token is required; open the URL that `mesh ui` prints', 401);
  };
}

/**
 * Writes: a write token, the page's anti-CSRF value in a header (a cross-site form cannot set
 * one), a JSON body (a cross-site form cannot send that type without a preflight we never
 * grant), and, when the browser says where the request came from, this very origin.
 */
export function requireWrite(tokens: () => UiTokens, port: () => number): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (c.get('access') !== 'write') return c.json({ error: { code: 'READ_ONLY', message: 'this dashboard session is read-only; open it with the URL `mesh ui --write` prints' } }, 403);
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `http://127.0.0.1:${port()}` && origin !== `http://localhost:${port()}`) return c.json({ error: { code: 'CSRF', message: 'cross-origin write refused' } }, 403);
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin') return c.json({ error: { code: 'CSRF', message: 'cross-site write refused' } }, 403);
    if (!tokens().csrfMatches(c.get('token'), c.req.header('x-csrf-token'))) return c.json({ error: { code: 'CSRF', message: 'missing or wrong anti-CSRF header' } }, 403);
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ error: { code: 'INVALID_INPUT', message: 'writes take a JSON body' } }, 415);
    await next();
  };
}
