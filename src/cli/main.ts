#!/usr/bin/env node
import '../polyfills.js';
import { Command } from 'commander';
import { registerBoardCommands } from './commands/boardCommands.js';
import { registerDaemonCommands } from './commands/daemonCommands.js';
import { registerDoctorCommand } from './commands/doctorCommand.js';
import { registerMemoryCommands } from './commands/memoryCommands.js';
import { registerTransferCommands } from './commands/transferCommands.js';
import { registerMeshCommands } from './commands/meshCommands.js';
import { registerHookCommand } from './commands/hookCommand.js';
import { registerImportTranscriptCommand } from './commands/importTranscriptCommand.js';
import { registerSetupCommand } from './commands/setupCommand.js';
import { registerServiceCommand } from './commands/serviceCommand.js';
import { VERSION } from '../version.js';

const program = new Command()
  .name('mesh')
  .description('hivemesh: a peer-to-peer memory mesh for coding agents')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)');

registerDaemonCommands(program);
registerMemoryCommands(program);
registerTransferCommands(program);
registerMeshCommands(program);
registerBoardCommands(program);
registerDoctorCommand(program);
registerHookCommand(program);
registerImportTranscriptCommand(program);
registerSetupCommand(program);
registerServiceCommand(program);

await program.parseAsync(process.argv);
