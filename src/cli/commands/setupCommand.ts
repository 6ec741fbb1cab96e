import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeTargets, mergeHooks, mergeMcpServer, shellQuote, updateJsonFile } from '../../claude/claudeSettings.js';
import { resolveHome } from '../../home.js';
import { fail, printJson, printText } from '../output.js';

const HOOK_MAIN = fileURLToPath(new URL('../hookMain.js', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** `mesh setup claude [--project]`: hivemesh's hooks and MCP server in Claude Code's settings, merged, with a backup. */
export function registerSetupCommand(program: Command): void {
  const setup = program.command('setup').description('connect hivemesh to a client');
  setup
    .command('claude')
    .description("write hivemesh's hooks and MCP server into Claude Code's settings (user scope, or --project), keeping every other key and a backup of each changed file")
    .option('--project', 'the project in the current directory (.claude/settings.json and .mcp.json) instead of your user settings')
    .option('--dir <dir>', 'project directory for --project (default: the current directory)')
    .option('--prompt-memories', 'also add the user-prompt hook (memories relevant to each prompt)')
    .option('--home <dir>', 'data directory the hooks and the server use (default MESH_HOME or ~/.hivemesh)')
    .option('--json', 'print JSON')
    .action(async (opts: { project?: boolean; dir?: string; promptMemories?: boolean; home?: string; json?: boolean }) => {
      try {
        const home = resolveHome(opts.home);
        const defaultHome = home === resolve(join(homedir(), '.hivemesh'));
        const targets = claudeTargets(opts.project ? 'project' : 'user', resolve(opts.dir ?? process.cwd()));
        const homeArgs = defaultHome ? [] : ['--home', home];
        const command = (hook: string) => [process.execPath, HOOK_MAIN, hook, ...homeArgs].map(shellQuote).join(' ');
        const settings = await updateJsonFile(targets.settings, (s) => mergeHooks(s, command, { promptMemories: opts.promptMemories === true }));
        const mcp = await updateJsonFile(targets.mcp, (c) => mergeMcpServer(c, { command: process.execPath, args: [CLI_MAIN, 'mcp', ...homeArgs] }));
        const result = { settings: { path: targets.settings, ...settings }, mcp: { path: targets.mcp, ...mcp }, home };
        if (opts.json) printJson(result);
        else {
          for (const [what, r] of [['hooks', result.settings], ['MCP server', result.mcp]] as const) {
            printText(`${what}: ${r.path} ${r.changed ? 'updated' : 'already up to date'}${r.backup ? ` (backup: ${r.backup})` : ''}`);
          }
          printText('Start a new Claude Code session: it opens with a hivemesh briefing. Check with `claude mcp list`.');
        }
      } catch (err) {
        fail(err);
      }
    });
}
