import { performance } from 'node:perf_hooks';

import { INestApplication, Injectable } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

/** Told of each answer as it ends: the answer (sent in full or not) and the seconds since its request arrived. */
export type AnswerEnded = (res: Response, seconds: number) => void;

/**
 * How many requests the service is answering now, each counted from its arrival until its answer
 * has been sent or its client has gone. Whoever holds the event loop for long (an upload that
 * could parse its body on it) asks whether it would keep others waiting; whoever measures every
 * answer (the request metrics) listens to their ends here rather than on each answer again.
 */
@Injectable()
export class RequestsInFlight {
  private current = 0;
  private readonly endListeners: AnswerEnded[] = [];

  get count(): number {
    return this.current;
  }

  /** Calls `listener` once for every answer that ends from now on, after the count has dropped. */
  onAnswerEnded(listener: AnswerEnded): void {
    this.endListeners.push(listener);
  }

  /**
   * Counts one request until its answer ends, however it ends: a response emits 'close' once it
   * has been sent, or once its client is gone. One listener rather than stream.finished()'s two,
   * and one for every use: every answer carries it, and a piped one has many already (see streamResponse).
   */
  track(res: Response): void {
    this.current += 1;
    const arrived = performance.now();
    res.once('close', () => {
      this.current -= 1;
      const seconds = (performance.now() - arrived) / 1000;
      for (const listener of this.endListeners) listener(res, seconds);
    });
  }
}

/** Counts every request from its arrival: installed before anything that may answer it. */
export function useRequestsInFlight(app: INestApplication): void {
  const requests = app.get(RequestsInFlight);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    requests.track(res);
    next();
  });
}
