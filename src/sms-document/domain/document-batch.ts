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
  /** The JSON array of the documents, in UTF-8. */
  json: Uint8Array;
}

export function toDocumentBatch(UBID: string, documents: NewSmsDocument[]): DocumentBatch {
  const unique = lastOccurrences(documents);
  // TextEncoder gives the bytes a buffer of their own, which a worker can hand over without a copy.
  return { UBID, count: unique.length, json: new TextEncoder().encode(JSON.stringify(unique)) };
}

function lastOccurrences(documents: NewSmsDocument[]): NewSmsDocument[] {
  const byId = new Map<string, NewSmsDocument>();
  for (const document of documents) {
    byId.set(document.uniqueId, document);
  }
  return byId.size === documents.length ? documents : [...byId.values()];
}
