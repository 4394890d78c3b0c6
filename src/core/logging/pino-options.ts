import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

import { Options } from 'pino-http';

import { AppConfig } from '../config/app-config';
import { apiKeyFingerprintOf } from '../http/api-key-fingerprint';
import { redactApiKeyInUrl } from '../http/api-key-in-url';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A client's own request id is kept when it is short and plain enough to be safe in a log line. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Uses the caller's `X-Request-Id` or makes one, and echoes it so both sides can find the log line. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const offered = req.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'cookie'];
const CREDENTIAL_PATHS = ['req.headers', 'headers'].flatMap((object) => CREDENTIAL_HEADERS.map((header) => `${object}["${header}"]`));

export function buildPinoHttpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: assignRequestId,
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      // Probes and scrapes come every few seconds; a healthy answer is not news.
      return req.url?.startsWith('/health') || req.url?.startsWith('/metrics') ? 'debug' : 'info';
    },
    // A request line needs the method, the URL and the id; headers and bodies only add noise and secrets.
    // The serializers drop the headers; the redaction keeps credentials out should anything log them anyway.
    redact: { paths: CREDENTIAL_PATHS, censor: '[redacted]' },
    // Which key deleted: each DELETE's line names the key by its fingerprint (never the key itself).
    customProps: (req) => {
      const fingerprint = req.method === 'DELETE' ? apiKeyFingerprintOf(req) : undefined;
      return fingerprint === undefined ? {} : { apiKeyFingerprint: fingerprint };
    },
    serializers: {
      // A gateway may send its API key in the URL (`?key=`): the line keeps the URL, never the key.
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactApiKeyInUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    transport: config.prettyLogs
      ? {
          target: 'pino-pretty',
          // Colours follow the terminal: on when it supports them, off when piped to a file.
          options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : undefined,
  };
}
