import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The product version from package.json (found from both src/ and dist/src/). */
function readVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'bisk-enforcer') return pkg.version ?? '0.0.0';
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
