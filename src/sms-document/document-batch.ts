import { ValidateFunction } from 'ajv';
import { UpsertSmsDocumentsDto } from './dto/upsert-sms-documents.dto';
import { NewSmsDocument } from './sms-document.repository';

/**
 * The documents of one upload as the bulk upsert takes them: each uniqueId once, with the values
 * of its last occurrence (what a database upsert applied row by row would leave, and the same on
 * every engine: PostgreSQL refuses to touch one row twice in one statement), serialized as one
 * JSON array. A big upload is parsed, checked and serialized in a worker thread; the event loop
 * only hands the bytes on to the database.
 */
export interface DocumentBatch {
  UBID: string;
  /** How many documents, repeated uniqueIds counted once. */
  count: number;
  /** The JSON array of the documents, in UTF-8. */
  json: Uint8Array;
}

export function toDocumentBatch(UBID: string, documents: NewSmsDocument[]): DocumentBatch {
  const unique = lastOccurrences(documents);
  // TextEncoder gives the bytes a buffer of their own, which a worker can hand over without a copy.
  return { UBID, count: unique.length, json: new TextEncoder().encode(JSON.stringify(unique)) };
}

/**
 * The batch of an upload body that is valid JSON and passes `validate` (the compiled check of
 * UpsertSmsDocumentsDto, which removes unknown properties as the validation pipe does); undefined
 * otherwise, and the caller's usual parsing and validation then say what is wrong.
 */
export function prepareDocumentBatch(body: Uint8Array, validate: ValidateFunction): DocumentBatch | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  if (!validate(value)) return undefined;
  const upload = value as UpsertSmsDocumentsDto;
  return toDocumentBatch(upload.UBID, upload.documents);
}

function lastOccurrences(documents: NewSmsDocument[]): NewSmsDocument[] {
  const byId = new Map<string, NewSmsDocument>();
  for (const document of documents) {
    byId.set(document.uniqueId, document);
  }
  return byId.size === documents.length ? documents : [...byId.values()];
}
