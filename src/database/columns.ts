import { Column, type ColumnOptions, CreateDateColumn, UpdateDateColumn } from 'typeorm';

/**
 * Instants are `timestamptz` on PostgreSQL and `datetime` (UTC text) on SQLite. TypeORM
 * has no type name both engines accept, so instant columns are declared through these
 * helpers and `useEngineColumnTypes` fixes their type for the engine in use before the
 * DataSource is built (one engine per process). Migrations are generated per engine.
 */
const instantColumns: ColumnOptions[] = [];

function instant(options: ColumnOptions): ColumnOptions {
  const withType: ColumnOptions = { type: 'datetime', ...options };
  instantColumns.push(withType);
  return withType;
}

export function useEngineColumnTypes(engine: 'sqlite' | 'postgres'): void {
  for (const options of instantColumns) {
    (options as { type: string }).type = engine === 'postgres' ? 'timestamptz' : 'datetime';
  }
}

export const InstantColumn = (options: ColumnOptions = {}) => Column(instant(options));
export const CreatedAtColumn = () => CreateDateColumn(instant({ name: 'created_at' }));
export const UpdatedAtColumn = () => UpdateDateColumn(instant({ name: 'updated_at' }));
