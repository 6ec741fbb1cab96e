import type { z } from 'zod';
import type { buildCoreApi } from './api.js';
import type { buildBoardApi } from './boardApi.js';
import type { buildLifecycleApi } from './lifecycleApi.js';
import type { buildConfigApi } from './configApi.js';
import type { buildUiApi } from './uiApi.js';
import type { buildDevopsOpsApi } from './devopsOpsApi.js';
import type { buildTeamApi } from './teamApi.js';
import type { buildVaultApi } from './vaultApi.js';

/**
 * The daemon's method map: every method name with its params schema and result type, taken from
 * the very tables the socket server dispatches to (api.ts merges them). DaemonClient and
 * DaemonLink call through it, so a renamed method, a changed param or a changed result is a
 * compile error at each caller rather than a cast that lies.
 *
 * A new domain adds its `buildXxxApi()` (returning `methods({...})`) to this intersection.
 */
export type DaemonMethods = ReturnType<typeof buildCoreApi> & ReturnType<typeof buildBoardApi> & ReturnType<typeof buildLifecycleApi> & ReturnType<typeof buildConfigApi> & ReturnType<typeof buildUiApi> & ReturnType<typeof buildDevopsOpsApi> & ReturnType<typeof buildTeamApi> & ReturnType<typeof buildVaultApi>;

export type MethodName = Extract<keyof DaemonMethods, string>;

/** What a caller sends: the schema's input (defaults may be left out). */
export type ParamsOf<N extends MethodName> = z.input<DaemonMethods[N]['schema']>;

/** What the daemon answers (as JSON: the handler's result). */
export type ResultOf<N extends MethodName> = Awaited<ReturnType<DaemonMethods[N]['handler']>>;

export interface CallOptions {
  timeoutMs?: number;
}

/** Anything that can call the daemon by the map: the socket client, the MCP server's link, a test's client. */
export interface DaemonCaller {
  call<N extends MethodName>(method: N, params: ParamsOf<N>, opts?: CallOptions): Promise<ResultOf<N>>;
}
