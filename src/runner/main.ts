#!/usr/bin/env node
import { exitOnStartupError } from '../common/startup.js';
import { runReferenceRunner } from './reference-runner.js';

/**
 * The reference runner's own entry point (`bisk-runner`), what the enforcer starts once per
 * camera and profile: no Nest, so each runner costs a bare Node process plus ffmpeg. The same
 * runner is `bisk runner ...` in the CLI.
 */
async function main(): Promise<void> {
  // No configuration is loaded: a runner gets only what the enforcer hands it (argv, BISK_* and an allow-listed environment).
  process.exitCode = await runReferenceRunner(process.argv.slice(2), process.env.FFMPEG_PATH?.trim() || undefined);
}

main().catch(exitOnStartupError);
