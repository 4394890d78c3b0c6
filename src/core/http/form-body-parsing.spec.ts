import { gzipSync } from 'node:zlib';

import { HttpException, INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import request from 'supertest';

import { RouteSet } from './body-routes';
import { useFormBodyParsing } from './form-body-parsing';

/** An Express app with the form parsing on POST /form, answering what it parsed or the error's status and detail. */
function appWithFormRoute() {
  const app = express();
  useFormBodyParsing(app as unknown as INestApplication, new RouteSet([{ method: 'POST', path: '/form' }]));
  app.post(['/form', '/other'], (req: Request, res: Response) => {
    res.json({ body: (req.body as unknown) ?? null });
  });
  app.use((error: HttpException, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.getStatus()).json(error.getResponse());
  });
  return app;
}

describe('useFormBodyParsing', () => {
  const app = appWithFormRoute();

  it('parses a form on its routes, a repeated name as a list', async () => {
    const response = await request(app).post('/form').type('form').send('id=1&text=a+b%21&id=2');

    expect(response.body).toEqual({ body: { id: ['1', '2'], text: 'a b!' } });
  });

  it('reads no body elsewhere, and none of another type', async () => {
    expect((await request(app).post('/other').type('form').send('id=1')).body).toEqual({ body: null });
    expect((await request(app).post('/form').send({ id: '1' })).body).toEqual({ body: null });
  });

  it.each([
    [
      'over 16 KiB',
      (test: request.Test) => test.type('form').send(`text=${'x'.repeat(16 * 1024)}`),
      413,
      'Form body is larger than the 16 KiB limit',
    ],
    [
      'over 100 fields',
      (test: request.Test) => test.type('form').send(Array.from({ length: 101 }, (_, index) => `f${index}=1`).join('&')),
      413,
      'Form body has more than 100 fields',
    ],
    [
      'not UTF-8',
      (test: request.Test) =>
        test
          .type('form')
          .serialize(() => Buffer.from([0x69, 0x64, 0x3d, 0xff]) as unknown as string)
          .send({}),
      422,
      'Invalid form: the body is not valid UTF-8',
    ],
    [
      'compressed',
      (test: request.Test) => test.type('form').set('Content-Encoding', 'gzip').send(gzipSync('id=1')),
      415,
      'content encoding unsupported',
    ],
  ])('refuses a form %s', async (_case, send, status, detail) => {
    const response = await send(request(app).post('/form'));

    expect({ status: response.status, body: response.body }).toEqual({ status, body: { detail } });
  });
});
