#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module.js';
import { BiskLogger } from './common/logger.js';
import { describeStartupError, exitOnStartupError } from './common/startup.js';
import { loadConfig } from './config/app-config.js';
import { VERSION } from './version.js';

/** CLI entry (`bisk`): every failure is one line on stderr and a non-zero exit code (systemd reads it). */
async function main(): Promise<void> {
  const config = loadConfig();
  await CommandFactory.run(CliModule.forRoot(config), {
    cliName: 'bisk',
    version: VERSION,
    logger: new BiskLogger(config.logLevel === 'log' ? 'warn' : config.logLevel),
    abortOnError: false,
    errorHandler: (error) => {
      const code = (error as { exitCode?: number; code?: string }).code;
      // commander already printed its message (unknown option, missing argument, help, version).
      process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2);
    },
    serviceErrorHandler: (error) => {
      // Operator-facing refusals (another enforcer, bad option values) are printed exactly as worded.
      const plain = error.name === 'EnforcerBusyError' || error.name === 'CommandError';
      const line = plain ? error.message : describeStartupError(error).line.replace(/^Start-up failed: /, 'Error: ');
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  });
}

main().catch(exitOnStartupError);
