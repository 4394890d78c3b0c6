/**
 * A worker thread of DocumentBatchPreparer: turns upload bodies into document batches (parse,
 * compiled check, repeated uniqueIds merged, serialized) off the service's event loop. A body that
 * does not pass goes back as it came, for the event loop to say what is wrong with it.
 */
import 'reflect-metadata';

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { CompiledValidation } from '../../core/validation/compiled-validation';
import { serveTasks } from '../../core/workers/serve-tasks';
import { UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';
import type { PreparedUpload } from './document-batch.preparer';
import { prepareDocumentBatch } from './prepare-document-batch';

/**
 * After a body this big, the thread collects its garbage at once: a maximal body leaves ~100 MB
 * behind, which V8 would otherwise keep, in each worker, long after the upload.
 */
const COLLECT_AFTER_BYTES = 4 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const validate = new CompiledValidation().validatorFor(UpsertSmsDocumentsDto)!;

serveTasks<Uint8Array, PreparedUpload>((body) => {
  if (body.byteLength >= COLLECT_AFTER_BYTES) setImmediate(collectGarbage);
  const batch = prepareDocumentBatch(body, validate);
  return batch
    ? { output: { batch }, transfer: [batch.json.buffer as ArrayBuffer] }
    : { output: { refused: body }, transfer: [body.buffer as ArrayBuffer] };
});
