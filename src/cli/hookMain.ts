#!/usr/bin/env node
/**
 * `mesh hook EVENT` without the rest of the CLI: Claude Code runs a hook per session start (and,
 * if asked, per prompt), so its start-up time is the session's wait. `mesh setup claude` points
 * the hooks here; `mesh hook` runs the same code.
 *
 *   node dist/src/cli/hookMain.js session-start [--home DIR] [--budget N] [--limit N]
 */
import { parseArgs } from 'node:util';
import { HOOK_EVENTS, runHook, type HookEvent } from './hook/runHook.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: { home: { type: 'string' }, budget: { type: 'string' }, limit: { type: 'string' } },
});
const event = positionals[0] as HookEvent | undefined;
if (!event || !HOOK_EVENTS.includes(event)) {
  process.stderr.write(`usage: hookMain.js ${HOOK_EVENTS.join('|')} [--home DIR] [--budget N] [--limit N]\n`);
  process.exit(0);
}
const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
const text = await runHook(
  event,
  { ...(typeof values['home'] === 'string' ? { home: values['home'] } : {}), budget: num(values['budget']), limit: num(values['limit']) },
  process.stdin,
  (line) => process.stderr.write(`${line}\n`),
);
// Exit once stdout is flushed: whatever happened, the hook succeeds (a failing hook must not fail the session).
process.stdout.write(text && !text.endsWith('\n') ? `${text}\n` : text, () => process.exit(0));
