import { Response } from 'express';

import { RequestsInFlight } from '../http/requests-in-flight';
import { Metrics } from './metrics';

/** The label of a request answered before routing (a 401, a 503 busy); unknown paths count under the router's catch-all, `/{*path}`. */
export const UNROUTED = 'unrouted';

/**
 * Counts and times every answer sent in full by its route's template (`/tracking/sms_documents/:ubid/export`),
 * never by its path: a UBID in a label would make a series per batch. It hears of each answer's end
 * from RequestsInFlight, which sees every request from its arrival, so the answers given before
 * routing (a 401, a 503 of the body budget) are counted too, and no answer carries a listener of its own for it.
 * An answer whose client went before its last byte was not given, and is not counted.
 */
export function useRequestMetrics(requests: RequestsInFlight, metrics: Metrics): void {
  requests.onAnswerEnded((res: Response, seconds: number) => {
    if (!res.writableFinished) return;
    const { req } = res;
    const route = (req.route as { path?: string } | undefined)?.path;
    const labels = {
      method: req.method,
      route: route === undefined ? UNROUTED : `${req.baseUrl}${route}`,
      status: String(res.statusCode),
    };
    metrics.httpRequestDuration.observe(labels, seconds);
    metrics.httpRequests.inc(labels);
  });
}
