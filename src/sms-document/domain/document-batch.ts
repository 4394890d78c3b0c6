import { NewSmsDocument } from './sms-document';

/**
 * The documents of one upload as the bulk upsert takes them: each uniqueId once, with the values
 * of its last occurrence (what a database upsert applied row by row would leave, and the same on
 * every engine: PostgreSQL refuses to touch one row twice in one statement), serialized as one
 * JSON array. A big upload is made into one in a worker thread (see ../upload/); the event loop
 * only hands the bytes on to the database.
 */
export interface DocumentBatch {
  UBID: string;
  /** How many documents, repeated uniqueIds counted once. */
  count: number;
  /**
   * The JSON array of the documents: text when made on the event loop, UTF-8 bytes when made in a
   * worker (bytes cross to the event loop without a copy; encoding them there would cost an upload
   * alone a pass over its documents and a buffer more to collect).
   */
  json: string | Uint8Array;
}

export function toDocumentBatch(UBID: string, documents: NewSmsDocument[]): DocumentBatch {
  const unique = lastOccurrences(documents);
  return { UBID, count: unique.length, json: JSON.stringify(unique) };
}

/** The batch's JSON array as text, whichever thread made it. */
export function batchJsonText(json: DocumentBatch['json']): string {
  return typeof json === 'string' ? json : new TextDecoder().decode(json);
}

function lastOccurrences(documents: NewSmsDocument[]): NewSmsDocument[] {
  const byId = new Map<string, NewSmsDocument>();
  for (const document of documents) {
    byId.set(document.uniqueId, document);
  }
  return byId.size === documents.length ? documents : [...byId.values()];
}
