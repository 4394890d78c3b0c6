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
function answerTo(middleware: Middleware, headers: Record<string, string>, method = 'GET', url = '/tracking/sms_transfers') {
  const setHeader = jest.fn();
  const next = jest.fn();
  // As Express hands a request to a middleware mounted on /tracking: its path below the mount.
  const [path] = url.slice('/tracking'.length).split('?');
  const req = { method, headers, baseUrl: '/tracking', path, originalUrl: url } as Request;
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

  describe('on routes that declare their own authentication', () => {
    const DLR = '/tracking/gateways/jasmin/dlr';
    const SIGNED = '/tracking/gateways/twilio/status';
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    let middleware: Middleware;
    beforeEach(() => {
      const app = fakeApp();
      useApiKeyAuthentication(
        app as unknown as INestApplication,
        {
          apiKeys: [
            { key: READ_KEY, scope: 'read' },
            { key: WRITE_KEY, scope: 'write' },
          ],
          corsOrigins: [],
          allowedHosts: [],
        },
        [
          { route: { method: 'GET', path: DLR }, authentication: { by: 'api-key-in-url', scope: 'write' } },
          { route: { method: 'POST', path: SIGNED }, authentication: { by: 'signature' } },
        ],
      );
      middleware = app.use.mock.calls[0][1];
    });

    it.each<[string, Record<string, string>, string]>([
      ['HTTP basic auth, the key as password', { authorization: basic('jasmin', WRITE_KEY) }, DLR],
      ['HTTP basic auth without a user name', { authorization: basic('', WRITE_KEY) }, DLR],
      ['the key query parameter', {}, `${DLR}?id=1&key=${WRITE_KEY}&level=1`],
      ['a header, as on every route', { 'x-api-key': WRITE_KEY }, DLR],
    ])('takes the key as %s', (_way, headers, url) => {
      expect(answerTo(middleware, headers, 'GET', url)).toEqual({
        headers: {},
        error: undefined,
        fingerprint: apiKeyFingerprint(WRITE_KEY),
      });
    });

    it('takes neither elsewhere', () => {
      const missing = { detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' };
      expect(answerTo(middleware, {}, 'GET', `/tracking/sms_transfers?key=${WRITE_KEY}`).error).toEqual({ status: 401, body: missing });
      expect(answerTo(middleware, { authorization: basic('jasmin', WRITE_KEY) }, 'GET', '/tracking/sms_transfers').error).toEqual({
        status: 401,
        body: missing,
      });
    });

    it('says every way when the key is missing, and refuses a wrong one as invalid', () => {
      expect(answerTo(middleware, {}, 'GET', `${DLR}?id=1`).error).toEqual({
        status: 401,
        body: {
          detail:
            'Missing API key: send it as "Authorization: Bearer <key>", as "X-API-Key: <key>", as the password of HTTP basic auth (any user name) or as the `key` query parameter',
        },
      });
      expect(answerTo(middleware, { authorization: basic('jasmin', 'wrong-key-0123456789') }, 'GET', DLR).error).toEqual({
        status: 401,
        body: { detail: 'Invalid API key' },
      });
      expect(answerTo(middleware, {}, 'GET', `${DLR}?key=wrong-key-0123456789`).error).toEqual({
        status: 401,
        body: { detail: 'Invalid API key' },
      });
    });

    it("needs the route's scope whatever the method: a read key may not report by GET", () => {
      expect(answerTo(middleware, {}, 'GET', `${DLR}?key=${READ_KEY}`)).toEqual({
        headers: { 'WWW-Authenticate': 'Bearer realm="TrackingDb", error="insufficient_scope", scope="write"' },
        error: {
          status: 403,
          body: {
            detail:
              "Insufficient API key scope: /tracking/gateways/jasmin/dlr needs a key with the 'write' scope whatever the method; this key has 'read'",
          },
        },
        fingerprint: apiKeyFingerprint(READ_KEY),
      });
    });

    it('leaves a route checked by its signature to its guard, without a key', () => {
      expect(answerTo(middleware, {}, 'POST', SIGNED)).toEqual({ headers: {}, error: undefined, fingerprint: undefined });
    });

    it('matches the routes as Express routes them: case and a trailing slash aside, the method exactly', () => {
      expect(answerTo(middleware, {}, 'POST', '/tracking/Gateways/twilio/status/').error).toBeUndefined();
      expect(answerTo(middleware, {}, 'GET', SIGNED).error).toEqual({
        status: 401,
        body: { detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' },
      });
    });
  });
});
