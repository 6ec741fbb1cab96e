import type { Command } from 'commander';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

/** `mesh import-claude-memory [DIR]`: Claude Code's auto-memory files, one memory per section (idempotent, secrets redacted). */
export function registerImportClaudeMemoryCommand(program: Command): void {
  program
    .command('import-claude-memory')
    .description("import Claude Code's auto-memory (MEMORY.md and the .md files beside it), one memory per section; re-imports add new sections and update edited ones")
    .argument('[dir]', 'memory folder (default: ~/.claude/projects/<this directory, as Claude Code names it>/memory)')
    .option('--project <p>', 'project of the memories (default: this directory\'s, when DIR is its memory folder)')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, opts: CommonOptions & { project?: string }) => {
      try {
        const { importClaudeMemory } = await import('../../transcripts/importClaudeMemory.js');
        const { claudeMemoryDir } = await import('../../transcripts/claudeMemoryDir.js');
        const cwd = process.cwd();
        const r = await withDaemon(opts, (c) =>
          importClaudeMemory(dir ?? claudeMemoryDir(cwd), (memories) => c.call('conversation.upsert', { memories }), { cwd, ...(opts.project ? { project: opts.project } : {}) }),
        );
        if (opts.json) printJson(r);
        else
          printText(
            `${r.dir}: ${r.files} file(s)${r.skipped_files ? ` (${r.skipped_files} skipped: too large or too many)` : ''}, ${r.sections} section(s): ` +
              `${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged memories${r.erased ? `, ${r.erased} erased before (not restored)` : ''}; ${r.secrets_redacted} secret(s) redacted`,
          );
      } catch (err) {
        fail(err);
      }
    });
}
