import { Command } from 'nest-commander';
import { BiskCommand } from './command-error.js';
import { AppConfig } from '../config/app-config.js';

/**
 * `bisk runner ...`: the reference ffmpeg runner, for an operator trying a stream by hand. The
 * enforcer starts it through its own entry point (`bisk-runner`, src/runner/main.ts), which
 * loads no framework: one runs per camera.
 */
@Command({
  name: 'runner',
  arguments: '[options...]',
  description:
    'Reference ffmpeg runner: --camera ID --profile ID --rtsp URL --fps F --det_set D --hb URL --hb_key KEY --snapshots DIR --hb_interval S --snapshot_every N [--rtsp_transport T --device X --gpu_index G --hwaccel H]',
  allowUnknownOptions: true,
  argsDescription: { options: 'the runner arguments (§4 of the runner contract), passed through unchanged' },
})
export class RunnerCommand extends BiskCommand {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(args: string[]): Promise<void> {
    const { runReferenceRunner } = await import('../runner/reference-runner.js');
    process.exitCode = await runReferenceRunner(args, this.config.tools.ffmpegPath);
  }
}
