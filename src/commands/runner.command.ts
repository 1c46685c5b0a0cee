import { Command, CommandRunner } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { runReferenceRunner } from '../runner/reference-runner.js';

/** Listed for --help; `bisk runner ...` itself is dispatched in cli.ts before Nest loads. */
@Command({
  name: 'runner',
  arguments: '[options...]',
  description:
    'Reference ffmpeg runner: --camera ID --profile ID --rtsp URL --fps F --det_set D --hb URL --hb_key KEY --snapshots DIR --hb_interval S --snapshot_every N [--rtsp_transport T --device X --gpu_index G --hwaccel H]',
  options: { hidden: false },
})
export class RunnerCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(args: string[]): Promise<void> {
    process.exitCode = await runReferenceRunner(args, this.config.tools.ffmpegPath);
  }
}
