import { TrackingState } from '../tracking/tracking-state';
import { SmsDocumentResultDto } from './dto/sms-document-result.dto';
import { DOCUMENTS_TABLE } from './sms-document.errors';

/** The original's answers to the batch-wide routes, sentence and count, which its clients read. */
export function inserted(ubid: string, count: number): SmsDocumentResultDto {
  return { result: `Inserted ${count} document(s) for UBID '${ubid}' in table ${DOCUMENTS_TABLE}`, count };
}

export function found(ubid: string, count: number): SmsDocumentResultDto {
  return { result: `Found ${count} document(s) for UBID '${ubid}' in table ${DOCUMENTS_TABLE}`, count };
}

export function updated(ubid: string, state: TrackingState, count: number): SmsDocumentResultDto {
  return { result: `Updated state to '${state}' in ${count} row(s) for UBID '${ubid}' in table ${DOCUMENTS_TABLE}`, count };
}
