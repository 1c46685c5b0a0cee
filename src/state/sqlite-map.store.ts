import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A Map-like key/value store in a small SQLite file (WAL), given to Keyv as its store. It
 * lets the HTTP app and the enforcer — separate processes on one host — share breadcrumbs
 * without any extra server. Keyv serialises values and handles expiry.
 */
export class SqliteMapStore {
  private readonly db: Database.Database;
  private readonly statements: {
    get: Database.Statement<[string], { value: string }>;
    set: Database.Statement<[string, string]>;
    delete: Database.Statement<[string]>;
    clear: Database.Statement<[]>;
  };

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    this.statements = {
      get: this.db.prepare('SELECT value FROM kv WHERE key = ?'),
      set: this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      delete: this.db.prepare('DELETE FROM kv WHERE key = ?'),
      clear: this.db.prepare('DELETE FROM kv'),
    };
  }

  get(key: string): string | undefined {
    return this.statements.get.get(key)?.value;
  }

  set(key: string, value: unknown): this {
    this.statements.set.run(key, typeof value === 'string' ? value : JSON.stringify(value));
    return this;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: string): boolean {
    return this.statements.delete.run(key).changes > 0;
  }

  clear(): void {
    this.statements.clear.run();
  }

  close(): void {
    this.db.close();
  }
}
