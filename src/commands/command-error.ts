/** An operator-facing failure of a command: printed as one line, exit code 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export function parsePositiveInt(name: string, value: string, max = 2_147_483_647): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new CommandError(`${name} must be a whole number from 1 to ${max} (got "${value}")`);
  }
  return Number(value);
}
