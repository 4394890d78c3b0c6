/**
 * A write the database refused because of the data: a broken constraint (foreign key, NOT NULL,
 * CHECK, unique) or a value the column cannot hold (too long, out of range). Repositories
 * translate driver errors into it so that services never see TypeORM types, and answer 422.
 */
export class IntegrityError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'IntegrityError';
  }
}

/**
 * Such refusals as the engines report them: PostgreSQL by SQLSTATE class 23 (integrity
 * constraint violation) or 22 (data exception); SQLite by result code (`SQLITE_CONSTRAINT:
 * FOREIGN KEY constraint failed`, SQLITE_TOOBIG, SQLITE_MISMATCH).
 */
export function isIntegrityViolation(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const sqlState = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return (typeof sqlState === 'string' && /^2[23]/.test(sqlState)) || /SQLITE_(CONSTRAINT|TOOBIG|MISMATCH)/.test(error.message);
}

/** Runs a write, translating the database's refusal of the data into IntegrityError. */
export async function refusedAsIntegrityError<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isIntegrityViolation(error)) throw new IntegrityError(error.message);
    throw error;
  }
}
