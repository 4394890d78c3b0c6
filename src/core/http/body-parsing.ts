import { isUtf8 } from 'node:buffer';
import { IncomingMessage } from 'node:http';
import { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';

import { HttpException, HttpStatus, INestApplication } from '@nestjs/common';
import { json, NextFunction, raw, Request, Response } from 'express';

import { MAX_BODY_MB } from '../config/app-config';
import { RequestValidationException } from '../errors/request-validation.exception';
import { HttpRoute, RouteSet } from './body-routes';

/** A 5000-document batch is a few MiB of JSON; Express's 100 kB default would refuse real batches. */
export const MAX_BODY_BYTES = MAX_BODY_MB * 1024 * 1024;

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

export interface JsonBodyParsingOptions {
  /** The routes that take a body: only their bodies are read. */
  bodyRoutes: RouteSet;
  /** Of those, the routes whose plain JSON bodies are left as bytes (see RawJsonBodyPipe). */
  rawJsonRoutes?: HttpRoute[];
  /** A stage each inflated body passes through on its way to the parser (the body budget counts it there). */
  meterInflated: (req: IncomingMessage) => Transform;
}

/** The decompressors of the encodings the parser knows (as body-parser's own), by `Content-Encoding`. */
const INFLATERS = new Map<string, () => Transform>([
  ['deflate', () => zlib.createInflate()],
  ['gzip', () => zlib.createGunzip()],
  ['br', () => zlib.createBrotliDecompress()],
  ...('createZstdDecompress' in zlib
    ? [['zstd', () => (zlib as unknown as { createZstdDecompress: () => Transform }).createZstdDecompress()] as const]
    : []),
]);

const parseJson = json({ limit: MAX_BODY_BYTES, verify: refuseInvalidUtf8 });
const readBytes = raw({ type: () => true, limit: MAX_BODY_BYTES, verify: refuseInvalidUtf8 });

/**
 * Parses the JSON bodies of `bodyRoutes` up to MAX_BODY_BYTES and turns the parser's failures into
 * the API's errors: malformed JSON is a 422 like any other invalid body (the original answered
 * 422), too large is 413. Requests to any other route are not read at all. The app must be created
 * with `bodyParser: false` so that Nest's default parser does not run first.
 *
 * A compressed body is inflated here, through `meterInflated`, and the parser reads the inflated
 * bytes as a plain body (as body-parser would have inflated it, with the same limits and errors).
 *
 * On `rawJsonRoutes` a JSON body in UTF-8 (no other charset) is read under the same limits and
 * checks but not parsed: `req.body` is its bytes, which the route's RawJsonBodyPipe parses with
 * `parseJsonBody`, on whichever thread it chooses. Anything unusual is parsed as usual.
 */
export function useJsonBodyParsing(app: INestApplication, { bodyRoutes, rawJsonRoutes = [], meterInflated }: JsonBodyParsingOptions): void {
  const takesRaw = new RouteSet(rawJsonRoutes);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!bodyRoutes.has(req)) return next();
    // Only what the parser reads is inflated: it refuses other encodings (415) and skips other types.
    const inflate = isJson(req) ? INFLATERS.get(contentEncoding(req)) : undefined;
    const plain = inflate !== undefined || contentEncoding(req) === 'identity';
    const parse = takesRaw.has(req) && isJson(req) && isUtf8Charset(req) && plain ? readBytes : parseJson;
    if (!inflate) return parse(req, res, next);
    const inflated = inflatedRequest(req, inflate(), meterInflated(req));
    parse(inflated as unknown as Request, res, (error?: unknown) => {
      req.body = inflated.body;
      next(error);
    });
  });
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

function isJson(req: Request): boolean {
  return req.is('application/json') === 'application/json';
}

/** No charset but UTF-8: what the raw lane can hand on without the parser's help. */
function isUtf8Charset(req: Request): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
  return !charset || /^utf-8$/i.test(charset);
}

function contentEncoding(req: Request): string {
  return (req.headers['content-encoding'] ?? 'identity').toLowerCase();
}

/**
 * The request as the parser sees it once its body is inflated: the inflated bytes, after the
 * meter, with the request's headers but no `Content-Encoding` and no `Content-Length`. A plain
 * Readable, so that the parser, on an error, has no socket to drain (the rest of the body is left
 * to useLingeringClose) and answers at once.
 */
function inflatedRequest(req: Request, inflater: Transform, meter: Transform): Readable & { body?: unknown } {
  const { 'content-encoding': _encoding, 'content-length': _length, ...headers } = req.headers;
  const inflated = Readable.from(meter, { objectMode: false });
  // The parser listens for errors while it reads; once it is done (the body refused, or answered)
  // these streams are only torn down, and their errors concern no one.
  for (const stream of [inflater, meter, inflated]) stream.on('error', () => undefined);
  // A corrupt body: the parser gets zlib's error, as when it inflated the body itself.
  inflater.on('error', (error) => meter.destroy(error));
  req.pipe(inflater).pipe(meter);
  return Object.assign(inflated, {
    // A body of a length not known in advance, as the parser tells one.
    headers: { ...headers, 'transfer-encoding': 'chunked' },
    method: req.method,
  });
}

/**
 * Parses the bytes of a body that `rawJsonRoutes` left unparsed (JSON in UTF-8) exactly as the
 * JSON parser parses a body: the same value, or the same error (as the API's HttpException), in
 * one parse. A body that opens an object or an array, every upload, is parsed here, without the
 * parser's stream machinery (which took a third of the time of a 5000-document body's parse): the
 * parser would hand it to `JSON.parse` too, and word a failure with `JSON.parse`'s own message. Anything
 * else (an empty body, which the parser takes for `{}`, a bare value, which it refuses in its own
 * words, a byte-order mark) is run through the parser itself.
 */
export async function parseJsonBody(json: Uint8Array): Promise<unknown> {
  const text = opensObjectOrArray(json) ? utf8Text(json) : undefined;
  if (text === undefined) return parseWithParser(json);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidJson((error as Error).message);
  }
}

const JSON_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPENERS = new Set([0x7b, 0x5b]);

/** Whether the first byte that is not JSON whitespace is `{` or `[`: what the parser's strict mode takes. */
function opensObjectOrArray(json: Uint8Array): boolean {
  const first = json.findIndex((byte) => !JSON_WHITESPACE.has(byte));
  return first !== -1 && OPENERS.has(json[first]);
}

function utf8Text(json: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    // Not UTF-8: the parser refuses it in its words.
    return undefined;
  }
}

function parseWithParser(json: Uint8Array): Promise<unknown> {
  const request = Object.assign(Readable.from([Buffer.from(json.buffer, json.byteOffset, json.byteLength)]), {
    headers: { 'content-type': 'application/json', 'content-length': String(json.byteLength) },
    method: 'POST',
  });
  return new Promise((resolve, reject) => {
    parseJson(request as unknown as Request, {} as Response, (error?: unknown) =>
      error ? reject(toHttpException(error as BodyParserError)) : resolve((request as unknown as Request).body),
    );
  });
}

/** A body that is not JSON, or not UTF-8 (422, like any other invalid body). */
function invalidJson(reason: string): RequestValidationException {
  return new RequestValidationException([{ loc: ['body'], msg: `Invalid JSON: ${reason}`, type: 'json_invalid' }]);
}

/** A body over MAX_BODY_BYTES (413). */
export function bodyTooLarge(): HttpException {
  return new HttpException({ detail: `Request body is larger than the ${MAX_BODY_MB} MiB limit` }, HttpStatus.PAYLOAD_TOO_LARGE);
}

function toHttpException(error: BodyParserError): Error {
  // An earlier middleware's answer (authentication's 401) passes through as it is.
  if (error instanceof HttpException) return error;
  switch (error.type) {
    case 'entity.parse.failed':
    case 'entity.verify.failed':
      return invalidJson(error.message);
    case 'entity.too.large':
      return bodyTooLarge();
    default:
      // Unsupported charsets, bodies cut short, ...: the parser's own 4xx status and message are right.
      return error.status && error.status < 500 ? new HttpException({ detail: error.message }, error.status) : error;
  }
}
