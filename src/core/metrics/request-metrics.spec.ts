import { INestApplication } from '@nestjs/common';
import express from 'express';
import request from 'supertest';

import { Metrics } from './metrics';
import { UNROUTED, useRequestMetrics } from './request-metrics';

describe('useRequestMetrics', () => {
  const metrics = new Metrics(false);
  const app = express();
  useRequestMetrics({ use: app.use.bind(app) } as unknown as INestApplication, metrics);
  const things = express.Router();
  things.get('/:id', (_req, res) => res.status(204).end());
  app.use('/things', things);
  app.use('/refused', (_req, res) => res.status(401).end());

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
});
