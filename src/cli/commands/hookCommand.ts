import type { Command } from 'commander';
import { HOOK_EVENTS, runHook, type HookEvent } from '../hook/runHook.js';
import { printText } from '../output.js';

const int = (v: string) => Number.parseInt(v, 10);

/** `mesh hook EVENT`: Claude Code hooks (the same code as the lean `hookMain.js` entry). */
export function registerHookCommand(program: Command): void {
  program
    .command('hook')
    .description(`run a Claude Code hook, reading its JSON on stdin (${HOOK_EVENTS.join(', ')}); never fails the session`)
    .argument('<event>', HOOK_EVENTS.join(' | '))
    .option('--budget <chars>', 'characters of the briefing (session-start, default 6000 or MESH_BRIEFING_CHARS) or of the prompt memories (user-prompt, default 1500)', int)
    .option('--limit <n>', 'user-prompt: memories at most (default 3)', int)
    .option('--home <dir>', 'data directory')
    .action(async (event: string, opts: { budget?: number; limit?: number; home?: string }) => {
      if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
        process.stderr.write(`mesh hook: unknown event "${event}"; one of ${HOOK_EVENTS.join(', ')}\n`);
        return;
      }
      const text = await runHook(event as HookEvent, opts, process.stdin, (line) => process.stderr.write(`${line}\n`));
      if (text) printText(text);
    });
}
