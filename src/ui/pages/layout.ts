import type { UiAccess } from '../UiTokens.js';
import { html, type Safe } from './html.js';
import type { UiPage } from './UiPage.js';

export interface LayoutInput {
  page: UiPage;
  pages: readonly UiPage[];
  host: string;
  access: UiAccess;
  csrf: string;
  /** The fragment URL the browser re-fetches on a live update (path and query of this page). */
  fragment: string;
  body: Safe;
}

/**
 * The page shell. The one script is an ES module from this package (`/assets/app.js`); the
 * Content-Security-Policy allows nothing else to run, inline or from elsewhere. The icon is named
 * so the browser does not ask for /favicon.ico (a 404 in its console on the first visit).
 */
export function layout(p: LayoutInput): Safe {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${p.csrf}">
<meta name="ui-access" content="${p.access}">
<title>${p.page.title} · ${p.host} · hivemesh</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<a class="skip" href="#view">Skip to content</a>
<header class="top">
<p class="brand">hivemesh <span class="host">${p.host}</span> <span class="access access-${p.access}">${p.access === 'write' ? 'read and write' : 'read-only'}</span></p>
<nav aria-label="Pages"><ul>${p.pages
    .filter((x) => x.nav)
    .map((x) => html`<li><a href="/${x.slug}"${x === p.page ? html` aria-current="page"` : ''}>${x.title}</a></li>`)}</ul></nav>
<p id="live-status" class="live" role="status" aria-live="polite">connecting…</p>
</header>
<p id="flash" class="flash" role="alert" hidden></p>
<main id="view" tabindex="-1" data-fragment="${p.fragment}" data-live="${p.page.live.join(',')}"${p.page.refreshMs ? html` data-refresh-ms="${p.page.refreshMs}"` : ''}>
${p.body}
</main>
</body>
</html>`;
}
