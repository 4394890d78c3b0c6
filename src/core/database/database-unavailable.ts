/**
 * The database could not be used at all: the server is down or unreachable, or the SQLite file is
 * locked by another program or cannot be read or written. Not the request's fault and not a bug:
 * the API answers 503 and the same request may succeed later; the connection pool (PostgreSQL)
 * or the next statement (SQLite) picks up again by itself once the database is back.
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    /** Why, in words fit for a client: never a host, a port or a file path. */
    readonly reason: string,
    cause: unknown,
  ) {
    super(`Database unavailable: ${reason}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

export const SERVER_UNREACHABLE = 'the database server cannot be reached';
const SERVER_REFUSING = 'the database server is shutting down, starting up or out of connections';
const FILE_LOCKED = 'the database file is locked by another program';
const FILE_UNUSABLE = 'the database file cannot be read or written';
const TOO_SLOW = 'the database did not finish the statement in time';
/** The reason once a write has met other writes on the same rows at every retry (TypeOrmUnitOfWork). */
export const CONFLICTING_WRITES = 'other writes to the same rows kept conflicting with this one';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost or never-made connection by message only. */
const LOST_CONNECTION =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/**
 * Why the database is unavailable, or undefined when `error` means something else (a refused
 * value, a bug). PostgreSQL: network errors, SQLSTATE class 08 (connection exception), 57P01–03
 * (shutdown, crash recovery, cannot connect now), class 53 (insufficient resources) and 57014 (a
 * statement cancelled by statement_timeout).
 * SQLite: SQLITE_BUSY/LOCKED past the busy timeout, and the file-level failures.
 */
export function unavailabilityReason(error: unknown): string | undefined {
  if (error instanceof DatabaseUnavailableError) return error.reason;
  // Not `instanceof Error`: socket errors come from Node's core, which may be another realm (a vm, jest).
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return undefined;
  const { message } = error as Error;
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08')) return SERVER_UNREACHABLE;
    if (/^57P0[123]$/.test(code) || code.startsWith('53')) return SERVER_REFUSING;
    // query_canceled: statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS) ran out, as under overload.
    if (code === '57014') return TOO_SLOW;
  }
  if (/SQLITE_(BUSY|LOCKED)/.test(message)) return FILE_LOCKED;
  if (/SQLITE_(IOERR|CANTOPEN|READONLY|FULL|NOTADB|CORRUPT|PROTOCOL)/.test(message)) return FILE_UNUSABLE;
  if (LOST_CONNECTION.test(message)) return SERVER_UNREACHABLE;
  return undefined;
}

/**
 * Whether waiting may help: a server that is down, starting or full, or a file another program
 * has locked. A file that is not a database, or a wrong password, stays wrong.
 */
export function isTransientOutage(error: unknown): boolean {
  const reason = unavailabilityReason(error);
  return reason !== undefined && reason !== FILE_UNUSABLE;
}

/**
 * TypeORM's `toRetry` at start-up: waits for a transient outage only (a PostgreSQL still starting is
 * worth waiting for; a file that is not a database, a wrong password or a missing database fail at
 * once), and tells each wait as it begins, since Nest's own retry messages stay buffered until
 * start-up ends.
 */
export function retryAtStartUp(warn: (message: string) => void, delayMs: number): (error: unknown) => boolean {
  return (error) => {
    const retry = isTransientOutage(error);
    if (retry) warn(`Cannot open the database yet (${unavailabilityReason(error)}); trying again in ${delayMs / 1000} s`);
    return retry;
  };
}

/** How PostgreSQL refuses one of two writes that met, by SQLSTATE: the remedy is to run the whole transaction again. */
const WRITE_CONFLICTS = { '40P01': 'deadlock', '40001': 'serialization_failure' } as const;

export type WriteConflict = (typeof WRITE_CONFLICTS)[keyof typeof WRITE_CONFLICTS];

/**
 * Whether `error` is a write that met another: a deadlock (40P01, PostgreSQL cancels one of the
 * two) or a serialization failure (40001); undefined for anything else.
 */
export function writeConflict(error: unknown): WriteConflict | undefined {
  const code =
    (error as { code?: unknown } | undefined)?.code ?? (error as { driverError?: { code?: unknown } } | undefined)?.driverError?.code;
  return typeof code === 'string' && Object.hasOwn(WRITE_CONFLICTS, code)
    ? WRITE_CONFLICTS[code as keyof typeof WRITE_CONFLICTS]
    : undefined;
}

/** An error of a database driver: an outage, or a SQLite or PostgreSQL error code. */
export function isDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    unavailabilityReason(error) !== undefined || (typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code)))
  );
}

/** Runs database work, translating unavailability into DatabaseUnavailableError. */
export async function unavailableAsError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason = error instanceof DatabaseUnavailableError ? undefined : unavailabilityReason(error);
    throw reason ? new DatabaseUnavailableError(reason, error) : error;
  }
}
