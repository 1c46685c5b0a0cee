import { Command } from 'nest-commander';
import { BiskCommand } from './command-error.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';

@Command({ name: 'migrate', description: 'Apply pending database migrations (also done automatically at start)' })
export class MigrateCommand extends BiskCommand {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(): Promise<void> {
    // TypeORM is loaded only here (and by a service start that finds a migration pending).
    const { describeDatabase, migrateDatabase } = await import('../database/migrations.js');
    const where = maskCredentials(describeDatabase(this.config.database));
    const { applied, known } = await migrateDatabase(this.config.database);
    if (applied.length === 0) {
      console.log(`Database is up to date (${known.length} migration(s)): ${where}`);
    } else {
      console.log(`Applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}`);
    }
  }
}
