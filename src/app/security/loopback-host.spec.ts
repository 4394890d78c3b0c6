import { HttpException, INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { hostNameOf, useLoopbackHostCheck } from './loopback-host';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

const REFUSED = {
  status: 403,
  body: {
    detail:
      'Host not allowed: without API_KEYS this service answers only requests addressed to localhost, 127.0.0.1 or [::1], ' +
      'so that no web page can reach it through DNS rebinding. Set API_KEYS, or add the host name clients use to ALLOWED_HOSTS.',
  },
};

/** Records what useLoopbackHostCheck installs; test/security.e2e-spec.ts checks the same over HTTP, with the whole app. */
function installed(allowedHosts: string[]): Middleware {
  const app = { use: jest.fn<void, [Middleware]>() };
  useLoopbackHostCheck(app as unknown as INestApplication, { apiKeys: [], corsOrigins: [], allowedHosts });
  expect(app.use).toHaveBeenCalledTimes(1);
  return app.use.mock.calls[0][0];
}

/** What the middleware passed to `next` for a request with this Host header. */
function answerTo(middleware: Middleware, host: string | undefined) {
  const next = jest.fn();
  middleware({ headers: host === undefined ? {} : { host } } as Request, {} as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  const [error] = next.mock.calls[0] as [unknown];
  return error instanceof HttpException ? { status: error.getStatus(), body: error.getResponse() } : error;
}

describe('useLoopbackHostCheck', () => {
  it('installs nothing with API_KEYS: a key is what lets a request in then', () => {
    const app = { use: jest.fn() };

    useLoopbackHostCheck(app as unknown as INestApplication, {
      apiKeys: [{ key: '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e', scope: 'admin' }],
      corsOrigins: [],
      allowedHosts: [],
    });

    expect(app.use).not.toHaveBeenCalled();
  });

  it.each(['localhost', 'localhost:7000', 'LocalHost:80', '127.0.0.1', '127.0.0.1:43121', '[::1]', '[::1]:7000'])(
    'lets a request addressed to this machine through: Host %s',
    (host) => {
      expect(answerTo(installed([]), host)).toBeUndefined();
    },
  );

  it.each([
    'evil.example',
    'evil.example:7000',
    // Names that only start like this machine's are other machines.
    'localhost.evil.example',
    '127.0.0.1.evil.example:7000',
    '[::1].evil.example',
    'localhost:7000:80',
    '127.0.0.2',
    '0.0.0.0:7000',
    '10.0.0.5',
    '[::1',
    ':7000',
    '',
    undefined,
  ])('refuses a request addressed to another host with 403: Host %p', (host) => {
    expect(answerTo(installed([]), host)).toEqual(REFUSED);
  });

  it('lets the names of ALLOWED_HOSTS through too, at any port and in any case', () => {
    const middleware = installed(['tracking.internal', '10.0.0.5', '[fd00::5]']);

    expect(['Tracking.Internal:7000', '10.0.0.5', '[FD00::5]:80', 'localhost'].map((host) => answerTo(middleware, host))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(answerTo(middleware, 'other.internal')).toEqual(REFUSED);
  });
});

describe('hostNameOf', () => {
  it.each([
    ['localhost:7000', 'localhost'],
    ['EXAMPLE.org', 'example.org'],
    ['[::1]:7000', '[::1]'],
    ['[::1]', '[::1]'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1].evil.example', ''],
    ['localhost:7000:80', ''],
    ['localhost:http', ''],
    [undefined, ''],
  ])('reads %p as %p', (host, name) => {
    expect(hostNameOf(host)).toBe(name);
  });
});
