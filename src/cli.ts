#!/usr/bin/env node
import './common/v8-flags.js';
import './common/lazy-prompts.js';

/**
 * CLI entry (`bisk`): validated config (a bad value: one line, exit 78), then every command
 * through nest-commander in the CLI context (cli.module.ts). Every failure is one line on
 * stderr and a non-zero exit code (systemd reads it): 2 for a usage error (unknown command or
 * option, missing or extra argument), 1 for a refusal or a bad option value.
 * Nest and the modules are imported after v8-flags.ts has run (see there).
 */
async function main(): Promise<void> {
  const { loadConfig } = await import('./config/app-config.js');
  const config = loadConfig();
  // Before anything is created (database, state file, logs, lock) or a runner is started.
  (await import('./config/file-modes.js')).applyFileModes(config);
  await import('reflect-metadata');
  const [{ CommandFactory }, { CliModule }, { BiskLogger }, { describeStartupError }, { VERSION }, { exitAfterCommander }] = await Promise.all([
    import('nest-commander'),
    import('./cli.module.js'),
    import('./common/logger.js'),
    import('./common/startup.js'),
    import('./version.js'),
    import('./commands/command-error.js'),
  ]);
  // commander names the program after argv[1]; show "bisk" when run as dist/src/cli.js.
  if (process.argv[1]?.endsWith('cli.js')) process.argv[1] = process.argv[1].replace(/cli\.js$/, 'bisk');
  await CommandFactory.run(CliModule.forRoot(config), {
    cliName: 'bisk',
    version: VERSION,
    // One-shot commands print their result and keep the log to warnings; run-enforcer raises it to LOG_LEVEL.
    logger: new BiskLogger(config.logLevel === 'log' ? 'warn' : config.logLevel),
    abortOnError: false,
    // commander already printed its message (unknown command or option, help, version); each command does the same (BiskCommand).
    errorHandler: (error) => exitAfterCommander(error as { code?: string }),
    serviceErrorHandler: (error) => {
      // Operator-facing refusals (another enforcer, bad option values) are printed exactly as worded.
      const plain = error.name === 'EnforcerBusyError' || error.name === 'CommandError';
      const line = plain ? error.message : describeStartupError(error).line.replace(/^Start-up failed: /, 'Error: ');
      process.stderr.write(`${line}\n`);
      process.exit(1);
    },
  });
  // The context is closed (connections, timers): leave with the command's exit code.
  process.exit(process.exitCode ?? 0);
}

main().catch(async (error: unknown) => (await import('./common/startup.js')).exitOnStartupError(error));
