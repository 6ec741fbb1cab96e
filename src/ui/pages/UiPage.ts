import type { Collection } from '../../types.js';
import type { UiAccess } from '../UiTokens.js';
import type { UiSource } from '../UiSource.js';
import type { Safe } from './html.js';

/** What a page is rendered from: the daemon, the request's query and path, and the session's access. */
export interface PageContext {
  source: UiSource;
  query: URLSearchParams;
  /** The `:id` of pages about one document. */
  id?: string;
  access: UiAccess;
}

/**
 * One dashboard page. `render` returns the page's live region, which the browser re-fetches
 * (as `/fragment/...`) when a commit touches one of `live`'s collections.
 */
export interface UiPage {
  /** Path under `/` and `/fragment/` (`memory` takes an id: `/memory/:id`). */
  slug: string;
  title: string;
  /** In the navigation bar (the history page is reached from search results instead). */
  nav: boolean;
  live: readonly Collection[];
  /** Also refreshed on a timer: what it shows changes without a commit (connections). */
  refreshMs?: number;
  render(ctx: PageContext): Promise<Safe>;
}
