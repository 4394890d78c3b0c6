import { QueryFailedError } from 'typeorm';

import { IntegrityError, isIntegrityViolation, refusedAsIntegrityError } from './integrity-error';

/** A failed statement as TypeORM reports one: node-postgres's error, with its SQLSTATE, inside. */
function postgresError(message: string, code: string): QueryFailedError {
  return new QueryFailedError('INSERT …', [], Object.assign(new Error(message), { code }));
}

// The repository specs meet these errors on real databases; this one names every code and word the check knows.
describe('isIntegrityViolation', () => {
  it.each([
    postgresError('insert or update on table "sms_documents" violates foreign key constraint', '23503'),
    postgresError('null value in column "fileName" violates not-null constraint', '23502'),
    postgresError('value too long for type character varying(10)', '22001'),
    postgresError('integer out of range', '22003'),
    new Error('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed'),
    new Error('SQLITE_TOOBIG: string or blob too big'),
    new Error('SQLITE_MISMATCH: datatype mismatch'),
  ])('takes %p as the data refused', (error) => {
    expect(isIntegrityViolation(error)).toBe(true);
  });

  it.each([
    postgresError('relation "sms_documents" does not exist', '42P01'),
    postgresError('function already exists with same argument types', '42723'),
    postgresError('terminating connection due to administrator command', '57P01'),
    postgresError('could not serialize access', '40001'),
    new Error('SQLITE_BUSY: database is locked'),
    new Error('SQLITE_ERROR: no such table: sms_documents'),
    { message: 'SQLITE_CONSTRAINT: FOREIGN KEY constraint failed' },
  ])('leaves %p alone', (error) => {
    expect(isIntegrityViolation(error)).toBe(false);
  });
});

describe('refusedAsIntegrityError', () => {
  it('answers what the write answers', async () => {
    await expect(refusedAsIntegrityError(() => Promise.resolve(3))).resolves.toBe(3);
  });

  it("turns the database's refusal of the data into IntegrityError, with the engine's words", async () => {
    const refused = refusedAsIntegrityError(() => Promise.reject(new Error('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed')));

    await expect(refused).rejects.toEqual(new IntegrityError('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed'));
    await expect(refused).rejects.toMatchObject({ name: 'IntegrityError', reason: 'SQLITE_CONSTRAINT: FOREIGN KEY constraint failed' });
  });

  it('passes any other failure on unchanged', async () => {
    const outage = new Error('SQLITE_BUSY: database is locked');

    await expect(refusedAsIntegrityError(() => Promise.reject(outage))).rejects.toBe(outage);
  });
});
