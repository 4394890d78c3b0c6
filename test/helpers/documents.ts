import { SmsTransfer } from '../../src/sms-transfer/domain/sms-transfer';
import { TrackingState } from '../../src/tracking/tracking-state';

/** A sub-batch of documents whose uniqueIds all start with `prefix` (so a test can count them by it), numbered from 0. */
export function subBatch(ubid: string, prefix: string, size: number) {
  const digits = 10 - prefix.length;
  return {
    UBID: ubid,
    documents: Array.from({ length: size }, (_, index) => ({
      SMScount: 1 + (index % 3),
      uniqueId: `${prefix}${String(index).padStart(digits, '0')}`,
      data: { phone: `+4917${String(index).padStart(8, '0')}`, text: `Message ${index} of ${prefix}`, meta: { index } },
    })),
  };
}

/** A transfer body for `ubid`. */
export function transfer(ubid: string, documents = 1) {
  return { UBID: ubid, SMScount: documents, documents, fileName: `${ubid.slice(0, 8)}.json`, origName: 'test.csv' };
}

/** A transfer as a repository mock answers it: registered with one document, in INIT. */
export function storedTransfer(ubid: string): SmsTransfer {
  return {
    UBID: ubid,
    fileName: 'f.json',
    origName: 'f.csv',
    fallbackCount: 0,
    when: new Date(0),
    state: TrackingState.INIT,
    documents: 1,
    SMScount: 1,
  };
}
