import { CommandRunner } from 'nest-commander';

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

export function parseInstant(name: string, value: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) {
    throw new CommandError(`${name} must be an ISO-8601 date-time such as 2026-12-01T08:00:00+03:00 (got "${value}")`);
  }
  return at;
}

/**
 * After commander has printed its own message: help and version exit 0, a usage error (unknown
 * option, missing argument, an argument too many) exits 2.
 */
export function exitAfterCommander(error: { code?: string }): never {
  const code = error.code;
  process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2);
}

/**
 * Every bisk command: nest-commander hands the root program's error handler to the root only,
 * so each command sets the same exit codes on its own commander command, and refuses arguments
 * it does not declare.
 */
export abstract class BiskCommand extends CommandRunner {
  override setCommand(command: Parameters<CommandRunner['setCommand']>[0]): this {
    command.exitOverride(exitAfterCommander);
    command.allowExcessArguments(false);
    return super.setCommand(command);
  }
}
