import { documentPerMessage, NamedMessage } from '../receipts/delivery';
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
  /**
   * The documents that name the gateway's id of their message, as stored (each uniqueId once), in
   * upload order. Empty when none does, the common case, whose upload then costs nothing more
   * (SmsDocumentService.upsert).
   */
  messageIds: NamedMessage[];
}

/** The batch of an upload's documents; one message id named for two of them is refused, as a submission refuses it. */
export function toDocumentBatch(UBID: string, documents: NewSmsDocument[]): DocumentBatch {
  const unique = lastOccurrences(documents);
  const messageIds = namedMessages(unique);
  documentPerMessage(messageIds);
  return { UBID, count: unique.length, json: JSON.stringify(unique), messageIds };
}

/** The batch's JSON array as text, whichever thread made it. */
export function batchJsonText(json: DocumentBatch['json']): string {
  return typeof json === 'string' ? json : new TextDecoder().decode(json);
}

function namedMessages(documents: NewSmsDocument[]): NamedMessage[] {
  const named: NamedMessage[] = [];
  for (const { uniqueId, gateway, messageId } of documents) {
    if (gateway != null && messageId != null) named.push({ uniqueId, gateway, messageId });
  }
  return named;
}

function lastOccurrences(documents: NewSmsDocument[]): NewSmsDocument[] {
  const byId = new Map<string, NewSmsDocument>();
  for (const document of documents) {
    byId.set(document.uniqueId, document);
  }
  return byId.size === documents.length ? documents : [...byId.values()];
}
