export type DbErrorKind = 'unique' | 'foreign-key' | 'unavailable';

/** Maps driver errors of both engines to what they mean for a client (409) or an operator (503). */
export function classifyDbError(error: unknown): DbErrorKind | undefined {
  // TypeORM wraps the driver's error (QueryFailedError.driverError); the enforcer's own SQL port does not.
  const driver = ((error as { driverError?: unknown } | undefined)?.driverError ?? error) as { code?: string; message?: string } | undefined;
  const code = driver?.code ?? '';
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return 'unique';
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'SQLITE_BUSY', '57P01', '57P03', '08006', '08001'].includes(code)) {
    return 'unavailable';
  }
  return undefined;
}

/**
 * The database refused the data itself (a value out of range, a broken constraint), as opposed
 * to being unreachable: sending the same rows again can never succeed.
 */
export function isDataError(error: unknown): boolean {
  const driver = ((error as { driverError?: unknown } | undefined)?.driverError ?? error) as { code?: string } | undefined;
  const code = driver?.code ?? '';
  return /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}
