import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source.options.js';

/**
 * The DataSource TypeORM's CLI uses (`npm run typeorm -- migration:generate ...`), built
 * from the same config and options as the app: DATABASE_URL picks the engine.
 */
export default new DataSource(dataSourceOptions(loadConfig().database));
