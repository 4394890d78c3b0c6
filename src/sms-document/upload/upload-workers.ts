import { HttpException, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { AppConfig } from '../../core/config/app-config';
import { WorkerPool, workerScript } from '../../core/workers/worker-pool';
import { DocumentBatch } from '../domain/document-batch';

/** A worker's answer: the batch, or the error answer its body gets (an HttpException's or a DomainError's status and payload). */
export type PreparedUpload = { batch: DocumentBatch } | { refusal: { status: number; response: string | object } };

/**
 * The UPLOAD_WORKERS worker threads that make upload bodies into document batches
 * (document-batch.worker.ts), off the event loop. Started with the app, before it listens, rather
 * than by the first upload that needs one, which would wait for them (a few hundred milliseconds
 * each); ended with it.
 */
@Injectable()
export class UploadWorkers implements OnModuleInit, OnApplicationShutdown {
  private readonly pool: WorkerPool<Uint8Array, PreparedUpload> | null;

  constructor(config: AppConfig) {
    const { uploadWorkers } = config.http;
    this.pool = uploadWorkers > 0 ? new WorkerPool(workerScript(__dirname, 'document-batch.worker'), uploadWorkers) : null;
  }

  /** Whether there are workers at all (UPLOAD_WORKERS is not 0). */
  get enabled(): boolean {
    return this.pool !== null;
  }

  async onModuleInit(): Promise<void> {
    await this.pool?.start();
  }

  onApplicationShutdown(): Promise<void> | undefined {
    return this.pool?.close();
  }

  /** The batch of an upload body (JSON bytes, as the raw lane leaves them), made in a worker; throws the body's error answer. */
  async batchOf(body: Buffer): Promise<DocumentBatch> {
    // Handed over rather than copied when the body is its whole buffer (as the parser makes big ones).
    const own = body.byteLength === body.buffer.byteLength ? body : Uint8Array.prototype.slice.call(body);
    const prepared = await this.pool!.run(own, [own.buffer as ArrayBuffer]);
    if ('refusal' in prepared) throw new HttpException(prepared.refusal.response, prepared.refusal.status);
    return prepared.batch;
  }
}
