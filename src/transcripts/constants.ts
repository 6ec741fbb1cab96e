/** Limits of a transcript import: a session becomes a few dense memories, not a copy of itself. */

/** Decisions and fixes kept per session (the first ones in file order, so a re-import keeps the same set). */
export const MAX_DECISIONS_PER_SESSION = 12;
/** Errors (with their resolution) kept per session. */
export const MAX_ERRORS_PER_SESSION = 8;
/** Characters of one imported memory: a paragraph a later session can read at a glance. */
export const MAX_IMPORTED_MEMORY_CHARS = 2_000;
/** An assistant statement shorter than this is a status line ("Done."), not a decision worth a memory. */
export const MIN_DECISION_CHARS = 80;
/** Commands and files listed per memory (the summary lists more). */
export const MAX_COMMANDS_PER_MEMORY = 5;
export const MAX_FILES_PER_MEMORY = 10;
export const MAX_SUMMARY_COMMANDS = 8;
export const MAX_SUMMARY_FILES = 20;
/** Events after an error within which a statement of a fix counts as its resolution. */
export const RESOLUTION_WINDOW_EVENTS = 40;
/** A transcript line longer than this is skipped unread (a pasted blob or an image), which bounds memory use. */
export const MAX_TRANSCRIPT_LINE_CHARS = 4 * 1024 * 1024;
/** Imported memories sent to the daemon per call: one small socket frame each. */
export const IMPORT_BATCH = 50;
/** Claude Code memory files read from one memory folder (it holds MEMORY.md and a few topic files). */
export const MAX_CLAUDE_MEMORY_FILES = 50;
/** A memory file larger than this is skipped unread: Claude Code keeps them short (MEMORY.md is cut at 200 lines). */
export const MAX_CLAUDE_MEMORY_FILE_BYTES = 512 * 1024;
/** Sections imported per file: each is one memory. */
export const MAX_CLAUDE_MEMORY_SECTIONS_PER_FILE = 200;
