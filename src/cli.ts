#!/usr/bin/env node
import { describeStartupError, exitOnStartupError } from './common/startup.js';
import { loadConfig } from './config/app-config.js';
import { VERSION } from './version.js';

/**
 * CLI entry (`bisk`). `bisk runner ...` (one per camera, many at once) goes straight to the
 * reference runner; `run-enforcer` (the service), `status`, `enforce` and `stop-runners` to the
 * Nest-free enforcer commands; every other command runs through nest-commander.
 * Every failure is one line on stderr and a non-zero exit code (systemd reads it).
 */
const ENFORCER_COMMANDS = ['run-enforcer', 'status', 'enforce', 'stop-runners'];

async function main(): Promise<void> {
  const config = loadConfig();
  const [command, ...args] = process.argv.slice(2);
  const help = args.some((a) => a === '-h' || a === '--help');
  if (command === 'runner' && !help) {
    const { runReferenceRunner } = await import('./runner/reference-runner.js');
    process.exitCode = await runReferenceRunner(args, config.tools.ffmpegPath);
    return;
  }
  if (ENFORCER_COMMANDS.includes(command ?? '') && !help) {
    // The service and the operator commands around it: no Nest or TypeORM (fast start, small footprint).
    const { runEnforcerCli } = await import('./commands/enforcer-commands.js');
    process.exitCode = await runEnforcerCli(command!, config, args);
    return;
  }
  await import('reflect-metadata');
  // commander names the program after argv[1]; show "bisk" when run as dist/src/cli.js.
  if (process.argv[1]?.endsWith('cli.js')) process.argv[1] = process.argv[1].replace(/cli\.js$/, 'bisk');
  const [{ CommandFactory }, { CliModule }, { BiskLogger }] = await Promise.all([
    import('nest-commander'),
    import('./cli.module.js'),
    import('./common/logger.js'),
  ]);
  await CommandFactory.run(CliModule.forRoot(config), {
    cliName: 'bisk',
    version: VERSION,
    logger: new BiskLogger(config.logLevel === 'log' ? 'warn' : config.logLevel),
    abortOnError: false,
    errorHandler: (error) => {
      const code = (error as { code?: string }).code;
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
