import { once } from 'node:events';
import { get, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import express, { Response } from 'express';
import request from 'supertest';

import { RequestsInFlight } from '../http/requests-in-flight';
import { Metrics } from './metrics';
import { UNROUTED, useRequestMetrics } from './request-metrics';

describe('useRequestMetrics', () => {
  const metrics = new Metrics(false);
  const requests = new RequestsInFlight();
  useRequestMetrics(requests, metrics);
  const app = express();
  app.use((_req, res, next) => {
    requests.track(res);
    next();
  });
  const things = express.Router();
  things.get('/:id', (_req, res) => res.status(204).end());
  app.use('/things', things);
  app.use('/refused', (_req, res) => res.status(401).end());
  /** Answers with part of a body and keeps the rest back; `gone` settles once its client has left. */
  let gone: Promise<unknown>;
  app.get('/partial', (_req, res: Response) => {
    gone = once(res, 'close');
    res.status(200).write('part');
  });

  it('labels each answer with its route template, never its path, and times it', async () => {
    await request(app).get('/things/0b6e4a8c').expect(204);
    await request(app).get('/things/11111111').expect(204);
    await request(app).post('/refused').expect(401);

    expect((await metrics.httpRequests.get()).values).toEqual([
      { labels: { method: 'GET', route: '/things/:id', status: '204' }, value: 2 },
      { labels: { method: 'POST', route: UNROUTED, status: '401' }, value: 1 },
    ]);
    const counts = (await metrics.httpRequestDuration.get()).values.filter(({ metricName }) => metricName?.endsWith('_count'));
    expect(counts.map(({ labels, value }) => [labels.route, value])).toEqual([
      ['/things/:id', 2],
      [UNROUTED, 1],
    ]);
  });

  it('does not count an answer whose client went before its last byte', async () => {
    const server: Server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const sent = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/partial`);
    sent.on('error', () => undefined);
    await once(sent, 'response');
    sent.destroy();
    await gone;
    await new Promise((resolve) => server.close(resolve));

    expect((await metrics.httpRequests.get()).values.filter(({ labels }) => labels.route === '/partial')).toEqual([]);
  });
});
