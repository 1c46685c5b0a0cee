import { Command } from 'nest-commander';
import { BiskCommand } from './command-error.js';
import { AppConfig } from '../config/app-config.js';

@Command({ name: 'demo', description: 'Create a demo camera, profiles and policies on a generated test video, and serve the app with the enforcer inside' })
export class DemoCommand extends BiskCommand {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(): Promise<void> {
    // Loaded here so other commands never load the HTTP stack.
    const { runDemo } = await import('../demo/demo.js');
    await runDemo(this.config);
  }
}
