#!/usr/bin/env node
import { registerVaultCommands } from './commands/vaultCommands.js';
import '../polyfills.js';
import { Command } from 'commander';
import { registerBoardCommands } from './commands/boardCommands.js';
import { registerDevopsOpsCommands } from './commands/devopsOpsCommands.js';
import { registerDaemonCommands } from './commands/daemonCommands.js';
import { registerDoctorCommand } from './commands/doctorCommand.js';
import { registerIncidentCommands } from './commands/incidentCommands.js';
import { registerConfigCommands } from './commands/configCommands.js';
import { registerMemoryCommands } from './commands/memoryCommands.js';
import { registerTransferCommands } from './commands/transferCommands.js';
import { registerMeshCommands } from './commands/meshCommands.js';
import { registerTrustCommands } from './commands/trustCommands.js';
import { registerTeamCommands } from './commands/teamCommands.js';
import { registerHookCommand } from './commands/hookCommand.js';
import { registerImportTranscriptCommand } from './commands/importTranscriptCommand.js';
import { registerImportClaudeMemoryCommand } from './commands/importClaudeMemoryCommand.js';
import { registerSetupCommand } from './commands/setupCommand.js';
import { registerServiceCommand } from './commands/serviceCommand.js';
import { registerUiCommand } from './commands/uiCommand.js';
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

registerDaemonCommands(program);
registerMemoryCommands(program);
registerTransferCommands(program);
registerMeshCommands(program);
registerTrustCommands(program);
registerTeamCommands(program);
registerBoardCommands(program);
registerDevopsOpsCommands(program);
registerDoctorCommand(program);
registerHookCommand(program);
registerImportTranscriptCommand(program);
registerImportClaudeMemoryCommand(program);
registerSetupCommand(program);
registerServiceCommand(program);
registerVaultCommands(program);
registerIncidentCommands(program);
registerConfigCommands(program);
registerUiCommand(program);

await program.parseAsync(process.argv);
