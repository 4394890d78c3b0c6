import { PinoLogger } from 'nestjs-pino';
import { Logger as TypeOrmLogger } from 'typeorm';

/** Long enough to recognise a statement, short enough to keep log lines readable. */
const MAX_LOGGED_QUERY_LENGTH = 500;

/**
 * Routes TypeORM's own log through the application's pino logger, so that queries, schema
 * changes and migrations appear in the same stream, format and request context as everything else.
 * Queries log at `debug`; parameters are counted, not printed (they hold message payloads).
 */
export class TypeOrmPinoLogger implements TypeOrmLogger {
  constructor(private readonly logger: PinoLogger) {}

  logQuery(query: string, parameters?: unknown[]): void {
    if (this.logger.logger.isLevelEnabled('debug')) {
      this.logger.debug({ query: shorten(query), parameterCount: parameters?.length ?? 0 }, 'query');
    }
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[]): void {
    const message = error instanceof Error ? error.message : error;
    this.logger.warn({ query: shorten(query), parameterCount: parameters?.length ?? 0, error: message }, 'query failed');
  }

  logQuerySlow(time: number, query: string, parameters?: unknown[]): void {
    this.logger.warn({ query: shorten(query), parameterCount: parameters?.length ?? 0, durationMs: time }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.info(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') {
      this.logger.warn(String(message));
    } else {
      this.logger.info(String(message));
    }
  }
}

function shorten(query: string): string {
  return query.length > MAX_LOGGED_QUERY_LENGTH ? `${query.slice(0, MAX_LOGGED_QUERY_LENGTH)}…` : query;
}
