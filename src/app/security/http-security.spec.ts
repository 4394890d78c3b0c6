import { IncomingMessage, ServerResponse } from 'node:http';

import { INestApplication } from '@nestjs/common';

import { useHttpSecurity } from './http-security';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Records what useHttpSecurity installs; test/security.e2e-spec.ts checks the same over HTTP, with the whole app. */
function fakeApp() {
  return { use: jest.fn<void, [Middleware]>(), enableCors: jest.fn() };
}

/** The headers a middleware sets on an answer, as helmet sets them: one setHeader per header. */
function headersSetBy(middleware: Middleware): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  const next = jest.fn();
  middleware({} as IncomingMessage, response as unknown as ServerResponse, next);
  expect(next).toHaveBeenCalledWith();
  return headers;
}

describe('useHttpSecurity', () => {
  it("sets helmet's headers, with a policy that does not upgrade plain HTTP requests, and no CORS without CORS_ORIGINS", () => {
    const app = fakeApp();

    useHttpSecurity(app as unknown as INestApplication, { apiKeys: [], corsOrigins: [], allowedHosts: [] });

    expect(app.use).toHaveBeenCalledTimes(1);
    const headers = headersSetBy(app.use.mock.calls[0][0]);
    expect(headers['content-security-policy']).toBe(
      "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'",
    );
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    expect(app.enableCors).not.toHaveBeenCalled();
  });

  it('lets the origins of CORS_ORIGINS read the API, with the headers a client sends and reads', () => {
    const app = fakeApp();

    useHttpSecurity(app as unknown as INestApplication, { apiKeys: [], corsOrigins: ['https://app.example.com'], allowedHosts: [] });

    expect(app.enableCors).toHaveBeenCalledWith({
      origin: ['https://app.example.com'],
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'x-api-key', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'X-Total-Count'],
      maxAge: 600,
    });
  });
});
