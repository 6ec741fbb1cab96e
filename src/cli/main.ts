#!/usr/bin/env node
import '../polyfills.js';
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { commanderErrorLine } from './output.js';

/** Commander exits that show help or the version rather than refuse a command line. */
const USAGE_DISPLAY = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

const program = new Command()
  .name('mesh')
  .description('hivemesh: a peer-to-peer memory mesh for coding agents')
  .version(VERSION)
  // Commander's own errors ("error: unknown command 'x'") read like ours: one line, `mesh: ...`.
  .configureOutput({ outputError: (text, write) => write(`${commanderErrorLine(text)}\n`) })
  // A usage error (unknown command or option, a bad or missing value) exits 2, as INVALID_INPUT does.
  .exitOverride((err) => process.exit(err.exitCode === 0 || USAGE_DISPLAY.has(err.code) ? err.exitCode : 2));


type Register = (program: Command) => void;

const daemonFamily = (): Promise<Register> => import('./commands/daemonCommands.js').then((m) => m.registerDaemonCommands);
/** Every command family, in the order help lists them. */
const FAMILIES: (() => Promise<Register>)[] = [
  daemonFamily,
  () => import('./commands/memoryCommands.js').then((m) => m.registerMemoryCommands),
  () => import('./commands/transferCommands.js').then((m) => m.registerTransferCommands),
  () => import('./commands/meshCommands.js').then((m) => m.registerMeshCommands),
  () => import('./commands/trustCommands.js').then((m) => m.registerTrustCommands),
  () => import('./commands/teamCommands.js').then((m) => m.registerTeamCommands),
  () => import('./commands/boardCommands.js').then((m) => m.registerBoardCommands),
  () => import('./commands/devopsOpsCommands.js').then((m) => m.registerDevopsOpsCommands),
  () => import('./commands/doctorCommand.js').then((m) => m.registerDoctorCommand),
  () => import('./commands/hookCommand.js').then((m) => m.registerHookCommand),
  () => import('./commands/importTranscriptCommand.js').then((m) => m.registerImportTranscriptCommand),
  () => import('./commands/importClaudeMemoryCommand.js').then((m) => m.registerImportClaudeMemoryCommand),
  () => import('./commands/setupCommand.js').then((m) => m.registerSetupCommand),
  () => import('./commands/serviceCommand.js').then((m) => m.registerServiceCommand),
  () => import('./commands/vaultCommands.js').then((m) => m.registerVaultCommands),
  () => import('./commands/incidentCommands.js').then((m) => m.registerIncidentCommands),
  () => import('./commands/configCommands.js').then((m) => m.registerConfigCommands),
  () => import('./commands/uiCommand.js').then((m) => m.registerUiCommand),
];
// `mesh daemon` (also what `mesh mcp` spawns when no daemon runs) registers only its own family:
// the other families' modules (~70) would load before the daemon can answer (issue 11).
const registers = process.argv[2] === 'daemon' ? [await daemonFamily()] : await Promise.all(FAMILIES.map((family) => family()));
for (const register of registers) register(program);

await program.parseAsync(process.argv);
