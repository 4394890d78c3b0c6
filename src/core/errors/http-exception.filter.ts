import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';

import { DatabaseUnavailableError } from '../database/database-unavailable';
import { DomainError, DomainErrorKind } from './domain-error';

/** Seconds a client should wait before retrying while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

interface ErrorBody {
  statusCode: HttpStatus;
  detail: unknown;
}

/** The status of each kind of domain error: the ones the original answered in each case. */
const STATUS_OF_KIND: Record<DomainErrorKind, HttpStatus> = {
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  refused: HttpStatus.UNPROCESSABLE_ENTITY,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The answer to a domain error, as the filter sends it and the OpenAPI examples show it. */
export function domainErrorBody(error: DomainError): ErrorBody & { detail: string } {
  return { statusCode: STATUS_OF_KIND[error.kind], detail: error.detail };
}

/**
 * Gives every error the original's shape, `{statusCode, detail}`. A service's DomainError gets the
 * status of its kind; HTTP exceptions keep their status; an unavailable database or a busy service
 * (`unavailable`) is a 503 with Retry-After; anything else is a bug of ours: logged with its stack
 * and answered with a bare 500.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toErrorBody(exception);
    if (exception instanceof DatabaseUnavailableError) {
      // Not a bug: the driver's own words go to the log, never to the client.
      this.logger.warn(`${exception.message} (${exception.cause instanceof Error ? exception.cause.message : String(exception.cause)})`);
      response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
    } else if (exception instanceof DomainError && exception.kind === 'unavailable') {
      // Busy, not broken: said as a warning, with when to come back (the thrower's figure, else ours).
      this.logger.warn(exception.detail);
      if (exception.retryAfterSeconds !== undefined) response.setHeader('Retry-After', exception.retryAfterSeconds);
      else if (response.getHeader('Retry-After') === undefined) response.setHeader('Retry-After', RETRY_AFTER_SECONDS);
    } else if (body.statusCode >= HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    response.status(body.statusCode).json(body);
  }

  private toErrorBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) return domainErrorBody(exception);
    if (exception instanceof DatabaseUnavailableError) {
      return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, detail: unavailableDetail(exception) };
    }
    if (!(exception instanceof HttpException)) {
      return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, detail: 'Internal server error' };
    }
    const statusCode = exception.getStatus();
    const payload = exception.getResponse();
    if (typeof payload === 'object' && payload !== null && 'detail' in payload) {
      return { statusCode, detail: payload.detail };
    }
    return { statusCode, detail: describe(payload, exception.message) };
  }
}

/** The 503's words for a database that cannot be used: the reason, never a host or a path. */
export function unavailableDetail(error: DatabaseUnavailableError): string {
  return `${error.message}. Retry later.`;
}

/** Nest's own exceptions carry `message` (a string or a list of strings). */
function describe(payload: string | object, fallback: string): string {
  if (typeof payload === 'string') return payload;
  const message = (payload as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : fallback;
}
