import { finished } from 'node:stream';

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Response } from 'express';
import { Observable } from 'rxjs';

import { AppConfig } from '../../core/config/app-config';
import { Metrics } from '../../core/metrics/metrics';
import { tooManyExports } from '../sms-document.errors';

/** What a refused export is told to wait: exports take seconds, and one of them will have ended. */
export const EXPORT_RETRY_AFTER_SECONDS = 5;

/**
 * At most MAX_CONCURRENT_EXPORTS exports at once: each holds a page of documents in memory and
 * keeps a core busy encoding it, for as long as its client reads. One more is answered 503 with
 * Retry-After before anything is read or sent. An export's slot is taken before its request is
 * validated and given back when its answer ends, however it ends: sent in full, an error answered
 * or a stream cut short, the client gone.
 */
@Injectable()
export class ExportSlots implements NestInterceptor {
  private exportsRunning = 0;
  private readonly limit: number;

  constructor(config: AppConfig, metrics: Metrics) {
    this.limit = config.http.maxConcurrentExports;
    metrics.watchExports(this);
  }

  /** Exports being sent now. */
  get running(): number {
    return this.exportsRunning;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<Response>();
    if (this.exportsRunning >= this.limit) {
      response.setHeader('Retry-After', EXPORT_RETRY_AFTER_SECONDS);
      throw tooManyExports(this.limit);
    }
    this.exportsRunning += 1;
    // Once, whatever ends the answer; at once for an answer whose client is already gone.
    finished(response, () => (this.exportsRunning -= 1));
    return next.handle();
  }
}
