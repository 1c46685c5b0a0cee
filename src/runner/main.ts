#!/usr/bin/env node
import { exitOnStartupError } from '../common/startup.js';
import { loadConfig } from '../config/app-config.js';
import { runReferenceRunner } from './reference-runner.js';

/**
 * The reference runner's own entry point (`bisk-runner`), what the enforcer starts once per
 * camera and profile: no Nest, so each runner costs a bare Node process plus ffmpeg. The same
 * runner is `bisk runner ...` in the CLI.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  process.exitCode = await runReferenceRunner(process.argv.slice(2), config.tools.ffmpegPath);
}

main().catch(exitOnStartupError);
