#!/usr/bin/env node
/**
 * The `mesh` command. Loading the whole CLI (main.js: commander and every command, ~300 modules)
 * takes 0.7 s of a loaded 2-core host's time before anything runs; `mesh stop` must return
 * within a second (issue 11), so it runs from here on a few small modules. Anything else, and a
 * `stop` command line this does not fully understand (help, an unknown option), goes to main.js,
 * which answers it as before.
 */
import { parseArgs } from 'node:util';

const args = process.argv.slice(2);
const stop = args[0] === 'stop' ? stopOptions(args.slice(1)) : undefined;
if (stop) {
  const [{ stopDaemon }, { fail }] = await Promise.all([import('./stopDaemon.js'), import('./output.js')]);
  await stopDaemon(stop).catch((err: unknown) => fail(err));
} else await import('./main.js');

function stopOptions(rest: string[]): { home?: string; json?: boolean } | undefined {
  try {
    const { values } = parseArgs({ args: rest, strict: true, allowPositionals: false, options: { home: { type: 'string' }, json: { type: 'boolean' } } });
    return { ...(values.home !== undefined ? { home: values.home } : {}), ...(values.json ? { json: true } : {}) };
  } catch {
    return undefined;
  }
}
