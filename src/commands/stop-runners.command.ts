import { Command, Option } from 'nest-commander';
import { RunnerExecutor } from '../enforcer/runner.executor.js';
import { BiskCommand, parsePositiveInt } from './command-error.js';

@Command({ name: 'stop-runners', description: 'Stop runner processes of this node (all, or one camera/profile)' })
export class StopRunnersCommand extends BiskCommand {
  constructor(private readonly executor: RunnerExecutor) {
    super();
  }

  async run(_args: string[], options: { camera?: number; profile?: number }): Promise<void> {
    const { stopped, skipped } = await this.executor.stopRunners({ cameraId: options.camera, profileId: options.profile });
    console.log(`Stopped ${stopped} runner(s); skipped ${skipped} already-dead.`);
  }

  @Option({ flags: '--camera <id>', description: 'only this camera' })
  parseCamera(value: string): number {
    return parsePositiveInt('--camera', value);
  }

  @Option({ flags: '--profile <id>', description: 'only this profile' })
  parseProfile(value: string): number {
    return parsePositiveInt('--profile', value);
  }
}
