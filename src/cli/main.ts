#!/usr/bin/env node
import '../polyfills.js';
import { Command } from 'commander';
import { registerBoardCommands } from './commands/boardCommands.js';
import { registerDaemonCommands } from './commands/daemonCommands.js';
import { registerDoctorCommand } from './commands/doctorCommand.js';
import { registerMemoryCommands } from './commands/memoryCommands.js';
import { registerTransferCommands } from './commands/transferCommands.js';
import { registerMeshCommands } from './commands/meshCommands.js';
import { registerTrustCommands } from './commands/trustCommands.js';
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
registerTrustCommands(program);
registerBoardCommands(program);
registerDoctorCommand(program);

await program.parseAsync(process.argv);
