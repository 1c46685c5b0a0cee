import { Command, CommandRunner } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { describeDatabase, migrateDatabase } from '../database/migrations.js';
import { maskCredentials } from '../common/mask.js';

@Command({ name: 'migrate', description: 'Apply pending database migrations (also done automatically at start)' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(): Promise<void> {
    const where = maskCredentials(describeDatabase(this.config.database));
    const { applied, known } = await migrateDatabase(this.config.database);
    if (applied.length === 0) {
      console.log(`Database is up to date (${known.length} migration(s)): ${where}`);
    } else {
      console.log(`Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}`);
    }
  }
}
