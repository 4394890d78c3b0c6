import { referenceDocument } from '../../src/loader/document-generator';
import { BuiltService } from '../built-service';
import { documentsJson, transferBody, uploadBody } from './upload-bodies';

/** Documents per upload, and messages per submission: the API's most. */
export const SUB_BATCH = 5000;

/** A gateway's id of a document's message, for a submission. */
export interface MessageSubmission {
  uniqueId: string;
  messageId: string;
}

/** The uniqueId of the reference document at `index` of its transfer (`documentsJson`'s). */
export const referenceUniqueId = (index: number): string => referenceDocument(index).uniqueId;

/** A new transfer with the reference documents 0 to `total - 1`, uploaded a sub-batch at a time. */
export async function createTransferWithDocuments(service: BuiltService, ubid: string, total: number): Promise<void> {
  await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, total));
  for (let from = 0; from < total; from += SUB_BATCH) {
    await service.send('POST', '/tracking/sms_documents', uploadBody(ubid, documentsJson(from, Math.min(SUB_BATCH, total - from))));
  }
}

/**
 * Gives documents of the batch their gateway's message ids, as a sender does once the gateway
 * accepted the messages: submissions of up to 5000. Answers how many pending receipts they applied.
 */
export async function submitMessages(service: BuiltService, ubid: string, gateway: string, messages: MessageSubmission[]): Promise<number> {
  let receiptsApplied = 0;
  for (let from = 0; from < messages.length; from += SUB_BATCH) {
    const body = JSON.stringify({ gateway, messages: messages.slice(from, from + SUB_BATCH) });
    const answer = JSON.parse(await service.send('POST', `/tracking/sms_documents/${ubid}/submissions`, body)) as {
      receiptsApplied: number;
    };
    receiptsApplied += answer.receiptsApplied;
  }
  return receiptsApplied;
}
