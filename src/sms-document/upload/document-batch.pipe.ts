import { Injectable } from '@nestjs/common';

import { RawJsonBodyPipe } from '../../core/http/raw-json-body.pipe';
import { RequestsInFlight } from '../../core/http/requests-in-flight';
import { DocumentBatch } from '../domain/document-batch';
import { DocumentBatchParser } from './document-batch.parser';
import { UploadWorkers } from './upload-workers';

/** Smaller bodies are always made into batches on the event loop: a worker's round trip would cost more than they do. */
export const OFF_THREAD_FROM_BYTES = 64 * 1024;

/**
 * An upload's body as a DocumentBatch: `@Body(DocumentBatchPipe) batch: DocumentBatch`. The body
 * parser leaves a plain JSON body as bytes (see RawJsonBodyPipe), and it is parsed, checked and
 * serialized once, where it costs least:
 *
 * - on the event loop while no other request is in flight: with no one else to serve meanwhile,
 *   the hop to a worker and back would gain nothing;
 * - in an upload worker while others are: making a 5000-document batch holds the thread
 *   15–20 ms, during which no other request would be served (docs/performance.md).
 *
 * A body that is not a valid upload gets the error it gets on every route (the JSON parser's,
 * the validation pipe's), from the same parse.
 */
@Injectable()
export class DocumentBatchPipe extends RawJsonBodyPipe<DocumentBatch> {
  private readonly parser = new DocumentBatchParser();

  constructor(
    private readonly workers: UploadWorkers,
    private readonly requests: RequestsInFlight,
  ) {
    super();
  }

  transform(body: unknown): Promise<DocumentBatch> {
    if (!Buffer.isBuffer(body)) return this.parser.fromBody(body);
    return this.inWorker(body) ? this.workers.batchOf(body) : this.parser.fromJson(body);
  }

  private inWorker(body: Buffer): boolean {
    // The upload's own request is one of those in flight.
    return this.workers.enabled && body.length >= OFF_THREAD_FROM_BYTES && this.requests.count > 1;
  }
}
