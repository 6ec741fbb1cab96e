/** Limits of the session-start briefing (`mesh hook session-start`). */

/** Default characters: well under the ~10,000 at which Claude Code cuts hook output or moves it to a file. */
export const DEFAULT_BRIEFING_CHARS = 6_000;
/** Bounds of a caller's budget: a briefing shorter than a few lines says nothing; longer is cut by the client. */
export const MIN_BRIEFING_CHARS = 500;
export const MAX_BRIEFING_CHARS = 9_500;
/** Incidents count as open for this long unless tagged resolved (until the DevOps incident model exists). */
export const INCIDENT_LOOKBACK_DAYS = 14;
/** Broadcasts shown: those of the last day. */
export const BROADCAST_LOOKBACK_HOURS = 24;
/** Items per section: the budget usually binds first. */
export const MAX_INCIDENTS = 5;
export const MAX_TASKS = 8;
export const MAX_BROADCASTS = 5;
export const MAX_PROJECT_MEMORIES = 10;
/** Characters of one memory's text in the briefing. */
export const BRIEFING_SNIPPET_CHARS = 280;
/** Defaults of the optional user-prompt hook: few memories, a small budget, only clear matches. */
export const DEFAULT_PROMPT_MEMORIES = 3;
export const DEFAULT_PROMPT_CHARS = 1_500;
/** Bounds of the user-prompt hook's budget and count (a prompt's context is added to every turn). */
export const MIN_PROMPT_CHARS = 200;
export const MAX_PROMPT_CHARS = 5_000;
export const MAX_PROMPT_MEMORIES = 10;
/** Vaults named in the briefing, and secret names per vault: enough to know what to ask for. */
export const MAX_BRIEFING_VAULTS = 5;
export const MAX_BRIEFING_SECRET_NAMES = 6;
