import { isUtf8 } from 'node:buffer';

import { HttpException, HttpStatus, INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response, urlencoded } from 'express';

import { RouteSet } from './body-routes';

/**
 * A gateway's report is a few hundred bytes (Twilio's status callback, its largest, about 600):
 * 16 KiB leaves room for long texts while a form can never take more than a sliver of the body budget.
 */
export const MAX_FORM_BODY_BYTES = 16 * 1024;
/** Twilio's status callback, the longest, has about 15 fields. */
const MAX_FORM_FIELDS = 100;

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

const parseForm = urlencoded({
  extended: false,
  limit: MAX_FORM_BODY_BYTES,
  parameterLimit: MAX_FORM_FIELDS,
  // The gateways send forms plain; a compressed one would escape the body budget's count, so it is refused (415).
  inflate: false,
  verify: (_req, _res, body) => {
    if (!isUtf8(body)) throw new Error('the body is not valid UTF-8');
  },
});

/**
 * Parses the form bodies of `formRoutes`, and only theirs, up to MAX_FORM_BODY_BYTES. It runs where
 * the JSON parser does: after authentication and the body budget's admission. A body of another
 * type is left unread, for the route's FormBodyPipe to refuse.
 */
export function useFormBodyParsing(app: INestApplication, formRoutes: RouteSet): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!formRoutes.has(req)) return next();
    parseForm(req, res, (error?: unknown) => next(error === undefined ? undefined : toHttpException(error as BodyParserError)));
  });
}

/** A form over MAX_FORM_BODY_BYTES (413). */
export function formTooLarge(): HttpException {
  return new HttpException(
    { detail: `Form body is larger than the ${MAX_FORM_BODY_BYTES / 1024} KiB limit` },
    HttpStatus.PAYLOAD_TOO_LARGE,
  );
}

function toHttpException(error: BodyParserError): Error {
  switch (error.type) {
    case 'entity.too.large':
      return formTooLarge();
    case 'parameters.too.many':
      return new HttpException({ detail: `Form body has more than ${MAX_FORM_FIELDS} fields` }, HttpStatus.PAYLOAD_TOO_LARGE);
    case 'entity.verify.failed':
      return new HttpException({ detail: 'Invalid form: the body is not valid UTF-8' }, HttpStatus.UNPROCESSABLE_ENTITY);
    default:
      // Unsupported charsets or encodings, bodies cut short: the parser's own 4xx status and message are right.
      return error.status && error.status < 500 ? new HttpException({ detail: error.message }, error.status) : error;
  }
}
