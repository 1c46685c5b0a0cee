import { readFileSync } from 'node:fs';
import { ConfigError } from './config.error.js';

/**
 * Parses the systemd-style env file (`/etc/bisk/bisk-enforcer.env`): `KEY=VALUE` lines,
 * `#` comments, blank lines, an optional `export ` prefix, and values in single or
 * double quotes. Anything else is an error that names the file and line, because a
 * silently ignored line is a setting the operator thinks is applied but is not.
 */
export function parseEnvFile(text: string, source = 'env file'): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      throw new ConfigError(`${source}:${index + 1}: expected KEY=VALUE, got "${line.slice(0, 60)}"`);
    }
    values[match[1]] = unquote(match[2]);
  });
  return values;
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (quoted) {
    return quoted[1] === '"' ? quoted[2].replace(/\\(["\\$`])/g, '$1').replace(/\\n/g, '\n') : quoted[2];
  }
  // systemd drops a trailing comment only when it is preceded by whitespace.
  return value.replace(/\s+#.*$/, '');
}

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`BISK_ENV_FILE: cannot read ${path} (${code})`);
  }
  return parseEnvFile(text, path);
}
