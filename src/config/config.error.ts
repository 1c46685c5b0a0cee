/** A configuration problem an operator must fix; printed as one line, never as a stack trace. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** sysexits.h EX_CONFIG: systemd shows it, and `RestartPreventExitStatus=78` can stop a restart loop. */
export const EXIT_CONFIG = 78;
