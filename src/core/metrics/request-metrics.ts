import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { Metrics } from './metrics';

/** The label of a request answered before routing (a 401, a 503 busy); unknown paths count under the router's catch-all, `/{*path}`. */
export const UNROUTED = 'unrouted';

/**
 * Counts and times every answer by its route's template (`/tracking/sms_documents/:ubid/export`),
 * never by its path: a UBID in a label would make a series per batch. It runs first, so that the
 * answers given before routing (a 401, a 503 of the body budget) are counted too.
 */
export function useRequestMetrics(app: INestApplication, metrics: Metrics): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const labels = {
        method: req.method,
        route: route === undefined ? UNROUTED : `${req.baseUrl}${route}`,
        status: String(res.statusCode),
      };
      end(labels);
      metrics.httpRequests.inc(labels);
    });
    next();
  });
}
