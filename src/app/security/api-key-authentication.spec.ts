import { HttpException, INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { useApiKeyAuthentication } from './api-key-authentication';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

const KEY = 'key-0123456789abcdef';

/** Records what useApiKeyAuthentication installs; test/security.e2e-spec.ts checks the same over HTTP, with the whole app. */
function fakeApp() {
  return { use: jest.fn<void, [string, Middleware]>() };
}

/** Runs the middleware on a request with these headers: what it passed to `next`, and the headers it set. */
function answerTo(middleware: Middleware, headers: Record<string, string>) {
  const setHeader = jest.fn();
  const next = jest.fn();
  middleware({ headers } as Request, { setHeader } as unknown as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  const [error] = next.mock.calls[0] as [unknown];
  return {
    headers: Object.fromEntries(setHeader.mock.calls),
    error: error instanceof HttpException ? { status: error.getStatus(), body: error.getResponse() } : error,
  };
}

describe('useApiKeyAuthentication', () => {
  it('installs nothing without API_KEYS', () => {
    const app = fakeApp();

    useApiKeyAuthentication(app as unknown as INestApplication, { apiKeys: [], corsOrigins: [] });

    expect(app.use).not.toHaveBeenCalled();
  });

  describe('with API_KEYS', () => {
    // Installed in each test, not when the file loads: a broken install must fail a test, not the file.
    let middleware: Middleware;
    let app: ReturnType<typeof fakeApp>;
    beforeEach(() => {
      app = fakeApp();
      useApiKeyAuthentication(app as unknown as INestApplication, { apiKeys: [KEY], corsOrigins: [] });
      expect(app.use).toHaveBeenCalledTimes(1);
      middleware = app.use.mock.calls[0][1];
    });

    it('guards every route under /tracking', () => {
      expect(app.use.mock.calls[0][0]).toBe('/tracking');
    });

    it.each<Record<string, string>>([{ authorization: `Bearer ${KEY}` }, { 'x-api-key': KEY }])(
      'lets a request with a valid key through: %p',
      (headers) => {
        expect(answerTo(middleware, headers)).toEqual({ headers: {}, error: undefined });
      },
    );

    it('refuses a request without a key with the original 401 and a Bearer challenge', () => {
      expect(answerTo(middleware, {})).toEqual({
        headers: { 'WWW-Authenticate': 'Bearer realm="TrackingDb"' },
        error: { status: 401, body: { detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' } },
      });
    });

    it('refuses a request with an unknown key as invalid', () => {
      expect(answerTo(middleware, { authorization: 'Bearer not-the-key' })).toEqual({
        headers: { 'WWW-Authenticate': 'Bearer realm="TrackingDb"' },
        error: { status: 401, body: { detail: 'Invalid API key' } },
      });
    });
  });
});
