import type { Command } from 'commander';
import { homePaths, resolveHome } from '../../home.js';
import { whoAmI } from '../../vault/whoami.js';
import type { CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

/**
 * `mesh whoami`: this host's signing identity (its peer id) and its vault box key, with
 * fingerprints. Reads the home directly (no daemon): it creates the box key on first use, sealed
 * by MESH_PASSPHRASE when that is set.
 */
export function registerVaultCommands(program: Command): void {
  program
    .command('whoami')
    .description("this host's peer id and key fingerprints (signing and vault box key)")
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const me = await whoAmI(homePaths(resolveHome(opts.home)), process.env['MESH_PASSPHRASE'] || undefined);
        if (opts.json) printJson(me);
        else {
          printText(
            [
              `name                 ${me.name}`,
              `peer id              ${me.peer_id}`,
              `signing fingerprint  ${me.signing_fingerprint}`,
              `box key fingerprint  ${me.box_fingerprint}${me.box_key_sealed ? ' (sealed by a passphrase)' : ''}`,
            ].join('\n'),
          );
        }
      } catch (err) {
        fail(err);
      }
    });
}
