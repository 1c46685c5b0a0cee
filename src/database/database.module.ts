import { type DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source.options.js';
import { applyMigrations, migrateDatabase } from './migrations.js';
import { SQL_PORT, typeormSql } from './sql.js';

/**
 * The HTTP app's database: TypeORM on the database chosen by DATABASE_URL, pending migrations
 * applied before any module uses it, and the SQL port (SQL_PORT) over the same connection for
 * the enforcer's code.
 */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.database, { statementTimeoutMs: config.statementTimeoutMs }), retryAttempts: 0 }),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = await new DataSource(options!).initialize();
            // Pending migrations run on a connection without the statement timeout (see dataSourceOptions).
            if (await dataSource.showMigrations()) {
              if (options!.type === 'postgres') await migrateDatabase({ engine: 'postgres', url: options!.url! });
              else await applyMigrations(dataSource);
            }
            return dataSource;
          },
        }),
      ],
      providers: [{ provide: SQL_PORT, useFactory: (dataSource: DataSource) => typeormSql(dataSource), inject: [getDataSourceToken()] }],
      exports: [SQL_PORT],
    };
  }
}
