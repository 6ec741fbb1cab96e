import type { Command } from 'commander';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

/** `mesh import-transcript FILE|DIR`: Claude Code transcripts as conversation memories (idempotent, secrets redacted). */
export function registerImportTranscriptCommand(program: Command): void {
  program
    .command('import-transcript')
    .description('import Claude Code transcripts (a .jsonl file or a folder such as ~/.claude/projects) as conversation memories; re-imports add only what is new')
    .argument('<path>', 'transcript file or folder')
    .option('--project <p>', 'project of the memories (default: from the session\'s working directory)')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (path: string, opts: CommonOptions & { project?: string }) => {
      try {
        const { importTranscripts } = await import('../../transcripts/importTranscript.js');
        const r = await withDaemon(opts, (c) => importTranscripts(path, (memories) => c.call('conversation.upsert', { memories }), opts.project ? { project: opts.project } : {}));
        if (opts.json) printJson(r);
        else
          printText(
            `${r.files} file(s), ${r.sessions.length} session(s), ${r.lines} lines (${r.skipped_lines} skipped): ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged memories` +
              `${r.erased ? `, ${r.erased} erased before (not restored)` : ''}; ${r.secrets_redacted} secret(s) redacted`,
          );
      } catch (err) {
        fail(err);
      }
    });
}
