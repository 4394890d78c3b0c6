import { isUtf8 } from 'node:buffer';
import { HttpException, HttpStatus, INestApplication } from '@nestjs/common';
import { json, NextFunction, Request, Response } from 'express';
import { MAX_BODY_MB } from '../config/app-config';
import { RequestValidationException } from '../errors/request-validation.exception';

/** A 5000-document batch is a few MiB of JSON; Express's 100 kB default would refuse real batches. */
export const MAX_BODY_BYTES = MAX_BODY_MB * 1024 * 1024;

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/**
 * Parses JSON bodies up to MAX_BODY_BYTES and turns the parser's failures into the API's errors:
 * malformed JSON is a 422 like any other invalid body (the original answered 422), too large is 413.
 * The app must be created with `bodyParser: false` so that Nest's default parser does not run first.
 */
export function useJsonBodyParsing(app: INestApplication): void {
  app.use(json({ limit: MAX_BODY_BYTES, verify: refuseInvalidUtf8 }));
  app.use((error: BodyParserError, _req: Request, res: Response, next: NextFunction) => {
    // Already answered (an upload refused in the middle of its body): the parser only saw it end.
    if (res.headersSent) return;
    next(toHttpException(error));
  });
}

/**
 * The parser would decode invalid UTF-8 to U+FFFD and store text the client never sent; a body
 * that is not UTF-8 is refused instead (simdutf: well under a millisecond for a 5000-document body).
 */
function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw new Error('the body is not valid UTF-8');
}

function toHttpException(error: BodyParserError): unknown {
  // An earlier middleware's answer (authentication's 401) passes through as it is.
  if (error instanceof HttpException) return error;
  switch (error.type) {
    case 'entity.parse.failed':
    case 'entity.verify.failed':
      return new RequestValidationException([{ loc: ['body'], msg: `Invalid JSON: ${error.message}`, type: 'json_invalid' }]);
    case 'entity.too.large':
      return new HttpException(
        { detail: `Request body is larger than the ${MAX_BODY_BYTES / 1024 / 1024} MiB limit` },
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    default:
      // Unsupported charsets, bodies cut short, ...: the parser's own 4xx status and message are right.
      return error.status && error.status < 500 ? new HttpException({ detail: error.message }, error.status) : error;
  }
}
