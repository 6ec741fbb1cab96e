import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printHint, printJson, printText } from '../output.js';
import { wholeNumber } from '../parsers.js';

/** The desktop's "open this URL" command; none on a headless host (then the URL is printed only). */
function opener(): string {
  return process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
}

function openInBrowser(url: string): void {
  // The URL is one argument, never a shell string: no quoting of the token can go wrong.
  const child = spawn(opener(), [url], { detached: true, stdio: 'ignore' });
  child.once('error', () => printHint(`could not start ${opener()}; open the URL above in a browser`));
  child.unref();
}

/** `mesh ui`: starts the daemon's dashboard (if needed) and prints its URL with a token, like Jupyter. */
export function registerUiCommand(program: Command): void {
  program
    .command('ui')
    .description('the local web dashboard (fleet, board, roster, search, incidents) on 127.0.0.1, behind a per-home token')
    .option('--port <n>', 'port on 127.0.0.1 (default 7420, or the next free one)', wholeNumber)
    .option('--open', 'open the URL in the default browser')
    .option('--write', 'print the URL of the write token (moving cards, commenting); the default token is read-only')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { port?: number; open?: boolean; write?: boolean }) => {
      try {
        const opened = await withDaemon(opts, (c) => c.call('ui.open', { ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.write ? { write: true } : {}) }));
        if (opts.json) printJson(opened);
        else {
          printText(opened.url);
          printHint(`the dashboard (${opened.access === 'write' ? 'read and write' : 'read-only'}) is served by this home's daemon until it stops; the URL holds a token: do not share it`);
        }
        if (opts.open) openInBrowser(opened.url);
      } catch (err) {
        fail(err, { port: '--port' });
      }
    });
}
