import { INestApplication, Injectable } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

/**
 * How many requests the service is answering now, each counted from its arrival until its answer
 * has been sent or its client has gone. Whoever holds the event loop for long (an upload that
 * could parse its body on it) asks whether it would keep others waiting.
 */
@Injectable()
export class RequestsInFlight {
  private current = 0;

  get count(): number {
    return this.current;
  }

  /**
   * Counts one request until its answer ends, however it ends: a response emits 'close' once it
   * has been sent, or once its client is gone. One listener rather than stream.finished()'s two:
   * every answer carries it, and a piped one has many already (see streamResponse).
   */
  track(res: Response): void {
    this.current += 1;
    res.once('close', () => (this.current -= 1));
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
