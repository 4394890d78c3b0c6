/**
 * A write the database refused because it breaks a constraint (foreign key, NOT NULL, CHECK).
 * Repositories translate driver errors into it so that services never see TypeORM types.
 */
export class IntegrityError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'IntegrityError';
  }
}

/**
 * Constraint failures as the engines report them: SQLite says `SQLITE_CONSTRAINT: FOREIGN KEY
 * constraint failed`, PostgreSQL gives an SQLSTATE of class 23 (integrity constraint violation).
 */
export function isIntegrityViolation(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const sqlState = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return (typeof sqlState === 'string' && sqlState.startsWith('23')) || /SQLITE_CONSTRAINT/.test(error.message);
}
