import { AsyncResource } from 'node:async_hooks';

import * as sqlite3 from 'sqlite3';

/** Binds a trailing callback to the caller's async context; sqlite3 passes its result as `this`, which the binding keeps. */
function bindCallback(params: unknown[]): unknown[] {
  const callback = params.at(-1);
  return typeof callback === 'function'
    ? [...params.slice(0, -1), AsyncResource.bind(callback as (...args: unknown[]) => unknown)]
    : params;
}

/**
 * sqlite3 calls back from native code outside the caller's async context. On Node.js 24, whose
 * AsyncLocalStorage follows the context frame of the call, whatever TypeORM does inside that
 * callback (logging a failed or slow query) lost the request's id. Binding each callback to the
 * context it was passed in keeps the id on Node 20 and 24 alike, for a few microseconds per
 * statement. TypeORM runs every statement through `run` or `all`.
 */
class ContextBoundDatabase extends sqlite3.Database {
  override run(sql: string, ...params: unknown[]): this {
    return super.run(sql, ...bindCallback(params));
  }

  override all(sql: string, ...params: unknown[]): this {
    return super.all(sql, ...bindCallback(params));
  }
}

/**
 * The sqlite3 module as TypeORM's `driver` option receives it. Its `verbose()` is the module
 * itself: sqlite3's verbose mode wraps every call to record a long stack trace and util.inspect()s
 * its arguments, milliseconds per bulk upsert; errors are mapped anyway.
 */
export const sqliteDriver = { ...sqlite3, Database: ContextBoundDatabase, verbose: () => sqliteDriver };
