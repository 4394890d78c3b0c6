import { Injectable, OnApplicationShutdown } from '@nestjs/common';

import { AppConfig } from '../../core/config/app-config';
import { CompiledValidation } from '../../core/validation/compiled-validation';
import { WorkerPool, workerScript } from '../../core/workers/worker-pool';
import { DocumentBatch } from '../domain/document-batch';
import { UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';
import { prepareDocumentBatch } from './prepare-document-batch';

/** Smaller bodies are prepared on the event loop: a worker's round trip would cost more than they do. */
export const OFF_THREAD_FROM_BYTES = 64 * 1024;

/** A worker's answer: the batch, or the body back when it is not a valid upload. */
export type PreparedUpload = { batch: DocumentBatch } | { refused: Uint8Array };

/**
 * Turns upload bodies into document batches. Parsing a 5000-document body and the garbage it
 * leaves cost the event loop 15–20 ms a request, during which no other request is served; in
 * UPLOAD_WORKERS worker threads they cost it nothing (docs/performance.md has the measurement).
 */
@Injectable()
export class DocumentBatchPreparer implements OnApplicationShutdown {
  private readonly validate = new CompiledValidation().validatorFor(UpsertSmsDocumentsDto)!;
  private readonly workers: WorkerPool<Uint8Array, PreparedUpload> | null;

  constructor(config: AppConfig) {
    const { uploadWorkers } = config.http;
    this.workers = uploadWorkers > 0 ? new WorkerPool(workerScript(__dirname, 'document-batch.worker'), uploadWorkers) : null;
  }

  /**
   * Starts the worker threads now rather than on the first big upload, which would otherwise
   * wait for them (a few hundred milliseconds each), and resolves once they have loaded. The
   * service calls it before it listens; tests let the workers start as needed.
   */
  async startWorkers(): Promise<void> {
    await this.workers?.start();
  }

  /**
   * The batch of a valid upload body, or the body back (the same bytes, perhaps in another buffer)
   * when it is not valid JSON or breaks a rule.
   */
  async prepare(body: Buffer): Promise<PreparedUpload> {
    if (!this.workers || body.length < OFF_THREAD_FROM_BYTES) {
      const batch = prepareDocumentBatch(body, this.validate);
      return batch ? { batch } : { refused: body };
    }
    // Handed over rather than copied when the body is its whole buffer (as the parser makes big ones).
    const own = body.byteLength === body.buffer.byteLength ? body : Uint8Array.prototype.slice.call(body);
    return this.workers.run(own, [own.buffer as ArrayBuffer]);
  }

  onApplicationShutdown(): Promise<void> | undefined {
    return this.workers?.close();
  }
}
