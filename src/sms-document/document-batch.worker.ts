/**
 * A worker thread of DocumentBatchPreparer: turns upload bodies into document batches (parse,
 * compiled check, repeated uniqueIds merged, serialized) off the service's event loop. A body that
 * does not pass goes back as it came, for the event loop to say what is wrong with it.
 */
import 'reflect-metadata';
import { CompiledValidation } from '../core/validation/compiled-validation';
import { serveTasks } from '../core/workers/serve-tasks';
import { prepareDocumentBatch } from './document-batch';
import type { PreparedUpload } from './document-batch.preparer';
import { UpsertSmsDocumentsDto } from './dto/upsert-sms-documents.dto';

const validate = new CompiledValidation().validatorFor(UpsertSmsDocumentsDto)!;

serveTasks<Uint8Array, PreparedUpload>((body) => {
  const batch = prepareDocumentBatch(body, validate);
  return batch ? { output: { batch }, transfer: [batch.json.buffer as ArrayBuffer] } : { output: { refused: body }, transfer: [body.buffer as ArrayBuffer] };
});
