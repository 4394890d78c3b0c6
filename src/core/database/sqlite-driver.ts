import { AsyncResource } from 'node:async_hooks';

import * as sqlite3 from 'sqlite3';

/**
 * Binds a trailing callback to the caller's async context; sqlite3 passes its result as `this`, which
 * the binding keeps. Not with AsyncResource.bind(): on Node 20 it gives each bound function a
 * deprecated `asyncResource` accessor made by util.deprecate(), which sets a fresh function as the
 * prototype of another (nodejs/node#58218). Each statement so leaves new hidden classes (maps, made
 * in the old generation) that point at its callback, and every scavenge until the next full
 * collection takes them for live: it promotes the callback, the statement's parameters it holds (an
 * upload's batch) and all they reach to the old generation (docs/performance.md).
 */
function bindCallback(params: unknown[]): unknown[] {
  const callback = params.at(-1);
  if (typeof callback !== 'function') return params;
  const resource = new AsyncResource('SqliteCallback');
  return [
    ...params.slice(0, -1),
    function (this: unknown, ...args: unknown[]) {
      return resource.runInAsyncScope(callback as (...args: unknown[]) => unknown, this, ...args);
    },
  ];
}

/**
 * SQL that holds no statement: blank, or only comments and semicolons. sqlite3 prepares it into a
 * null statement and, given parameters, binds them to it: the whole process dies (SIGSEGV), every
 * request in flight with it. A mistake in a statement's text must fail that query, not the service.
 */
const NO_STATEMENT = /^(?:\s|;|--[^\n]*|\/\*(?:[^*]|\*(?!\/))*(?:\*\/|$))*$/;

/**
 * sqlite3 calls back from native code outside the caller's async context. On Node.js 24, whose
 * AsyncLocalStorage follows the context frame of the call, whatever TypeORM does inside that
 * callback (logging a failed or slow query) lost the request's id. Binding each callback to the
 * context it was passed in keeps the id on Node 20 and 24 alike, for a few microseconds per
 * statement. TypeORM runs every statement through `run` or `all`.
 */
class ContextBoundDatabase extends sqlite3.Database {
  override run(sql: string, ...params: unknown[]): this {
    return NO_STATEMENT.test(sql) ? this.refuse(sql, params) : super.run(sql, ...bindCallback(params));
  }

  override all(sql: string, ...params: unknown[]): this {
    return NO_STATEMENT.test(sql) ? this.refuse(sql, params) : super.all(sql, ...bindCallback(params));
  }

  /** Answers SQL without a statement as sqlite3 answers a failed one: through the callback, or else an `error` event. */
  private refuse(sql: string, params: unknown[]): this {
    const error = Object.assign(new Error(`SQLITE_MISUSE: no statement in the SQL text ${JSON.stringify(sql)}`), {
      errno: sqlite3.MISUSE,
      code: 'SQLITE_MISUSE',
    });
    const callback = params.at(-1);
    process.nextTick(() => {
      if (typeof callback === 'function') (callback as (error: Error) => void)(error);
      else this.emit('error', error);
    });
    return this;
  }
}

/**
 * The sqlite3 module as TypeORM's `driver` option receives it. Its `verbose()` is the module
 * itself: sqlite3's verbose mode wraps every call to record a long stack trace and util.inspect()s
 * its arguments, milliseconds per bulk upsert; errors are mapped anyway.
 */
export const sqliteDriver = { ...sqlite3, Database: ContextBoundDatabase, verbose: () => sqliteDriver };
