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

/** Constraint failures as SQLite reports them (`SQLITE_CONSTRAINT: FOREIGN KEY constraint failed`). */
export function isIntegrityViolation(error: unknown): error is Error {
  return error instanceof Error && /SQLITE_CONSTRAINT|constraint failed/i.test(error.message);
}
