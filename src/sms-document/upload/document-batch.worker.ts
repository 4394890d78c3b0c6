/**
 * A worker thread of UploadWorkers: makes upload bodies into document batches (parse, compiled
 * check, repeated uniqueIds merged, serialized) off the service's event loop. A body that is not a
 * valid upload gets its error answer here too, so that it is parsed once.
 */
import 'reflect-metadata';

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { HttpException } from '@nestjs/common';

import { DomainError } from '../../core/errors/domain-error';
import { domainErrorBody } from '../../core/errors/http-exception.filter';
import { serveTasks, TaskResult } from '../../core/workers/serve-tasks';
import { DocumentBatchParser } from './document-batch.parser';
import type { PreparedUpload } from './upload-workers';

/**
 * After a body this big, the thread collects its garbage once it has answered: a maximal body
 * leaves ~100 MB behind, which V8 would otherwise keep, in each worker, long after the upload.
 */
const COLLECT_AFTER_BYTES = 4 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const parser = new DocumentBatchParser();

serveTasks<Uint8Array, PreparedUpload>(async (body) => {
  const prepared = await prepare(body);
  if (body.byteLength >= COLLECT_AFTER_BYTES) setImmediate(collectGarbage);
  return prepared;
});

async function prepare(body: Uint8Array): Promise<TaskResult<PreparedUpload>> {
  try {
    const batch = await parser.fromJson(body);
    // TextEncoder gives the bytes a buffer of their own, which this thread hands over without a copy.
    const json = new TextEncoder().encode(batch.json as string);
    return { output: { batch: { ...batch, json } }, transfer: [json.buffer] };
  } catch (error) {
    // The answer crosses to the event loop as data: an exception's class stays on this side.
    if (error instanceof HttpException) return { output: { refusal: { status: error.getStatus(), response: error.getResponse() } } };
    if (error instanceof DomainError) {
      const response = domainErrorBody(error);
      return { output: { refusal: { status: response.statusCode, response } } };
    }
    throw error;
  }
}
