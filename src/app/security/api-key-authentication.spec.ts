import { HttpException, INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { apiKeyFingerprint, apiKeyFingerprintOf } from '../../core/http/api-key-fingerprint';
import { useApiKeyAuthentication } from './api-key-authentication';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

const KEY = 'key-0123456789abcdef';
const READ_KEY = 'read-key-0123456789';
const WRITE_KEY = 'write-key-0123456789';

/** Records what useApiKeyAuthentication installs; test/security.e2e-spec.ts checks the same over HTTP, with the whole app. */
function fakeApp() {
  return { use: jest.fn<void, [string, Middleware]>() };
}

/**
 * Runs the middleware on a request with these headers: what it passed to `next`, the headers it
 * set, and the key fingerprint it left on the request.
 */
function answerTo(middleware: Middleware, headers: Record<string, string>, method = 'GET') {
  const setHeader = jest.fn();
  const next = jest.fn();
  const req = { method, headers } as Request;
  middleware(req, { setHeader } as unknown as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  const [error] = next.mock.calls[0] as [unknown];
  return {
    headers: Object.fromEntries(setHeader.mock.calls),
    error: error instanceof HttpException ? { status: error.getStatus(), body: error.getResponse() } : error,
    fingerprint: apiKeyFingerprintOf(req),
  };
}

describe('useApiKeyAuthentication', () => {
  it('installs nothing without API_KEYS', () => {
    const app = fakeApp();

    useApiKeyAuthentication(app as unknown as INestApplication, { apiKeys: [], corsOrigins: [], allowedHosts: [] });

    expect(app.use).not.toHaveBeenCalled();
  });

  describe('with API_KEYS', () => {
    // Installed in each test, not when the file loads: a broken install must fail a test, not the file.
    let middleware: Middleware;
    let app: ReturnType<typeof fakeApp>;
    beforeEach(() => {
      app = fakeApp();
      useApiKeyAuthentication(app as unknown as INestApplication, {
        apiKeys: [
          { key: KEY, scope: 'admin' },
          { key: READ_KEY, scope: 'read' },
          { key: WRITE_KEY, scope: 'write' },
        ],
        corsOrigins: [],
        allowedHosts: [],
      });
      expect(app.use).toHaveBeenCalledTimes(1);
      middleware = app.use.mock.calls[0][1];
    });

    it('guards every route under /tracking', () => {
      expect(app.use.mock.calls[0][0]).toBe('/tracking');
    });

    it.each<Record<string, string>>([{ authorization: `Bearer ${KEY}` }, { 'x-api-key': KEY }])(
      'lets a request with a valid key through: %p',
      (headers) => {
        expect(answerTo(middleware, headers)).toEqual({ headers: {}, error: undefined, fingerprint: apiKeyFingerprint(KEY) });
      },
    );

    it('refuses a request without a key with the original 401 and a Bearer challenge', () => {
      expect(answerTo(middleware, {})).toEqual({
        headers: { 'WWW-Authenticate': 'Bearer realm="TrackingDb"' },
        error: { status: 401, body: { detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' } },
        fingerprint: undefined,
      });
    });

    it('refuses a request with an unknown key as invalid', () => {
      expect(answerTo(middleware, { authorization: 'Bearer not-the-key' })).toEqual({
        headers: { 'WWW-Authenticate': 'Bearer realm="TrackingDb"' },
        error: { status: 401, body: { detail: 'Invalid API key' } },
        fingerprint: undefined,
      });
    });

    it.each([
      [READ_KEY, ['GET', 'HEAD']],
      [WRITE_KEY, ['GET', 'HEAD', 'POST', 'PUT']],
      [KEY, ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']],
    ])('lets %s do what its scope allows: %p', (key, methods) => {
      for (const method of methods) {
        expect({ method, ...answerTo(middleware, { 'x-api-key': key }, method) }).toEqual({
          method,
          headers: {},
          error: undefined,
          fingerprint: apiKeyFingerprint(key),
        });
      }
    });

    it.each([
      [READ_KEY, 'read', 'POST', 'write'],
      [READ_KEY, 'read', 'PUT', 'write'],
      [READ_KEY, 'read', 'DELETE', 'admin'],
      [WRITE_KEY, 'write', 'DELETE', 'admin'],
      // A method no scope names is an admin's: nothing new opens to a narrower key by default.
      [WRITE_KEY, 'write', 'PATCH', 'admin'],
      [READ_KEY, 'read', 'OPTIONS', 'admin'],
    ])('refuses %s (scope %s) a %s with 403, naming the scope needed', (key, granted, method, needed) => {
      expect(answerTo(middleware, { authorization: `Bearer ${key}` }, method)).toEqual({
        headers: { 'WWW-Authenticate': `Bearer realm="TrackingDb", error="insufficient_scope", scope="${needed}"` },
        error: {
          status: 403,
          body: {
            detail: `Insufficient API key scope: ${method} under /tracking needs a key with the '${needed}' scope; this key has '${granted}'`,
          },
        },
        fingerprint: apiKeyFingerprint(key),
      });
    });
  });
});
