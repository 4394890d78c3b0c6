import { SmsDocumentsSummary } from '../../sms-document/domain/sms-document';
import { SmsTransfer } from '../../sms-transfer/domain/sms-transfer';

/** A transfer with its documents' summary: what the progress page shows of one batch. */
export interface TransferProgress {
  transfer: SmsTransfer;
  summary: SmsDocumentsSummary;
}

/** A page of transfers with their summaries; `total` counts the transfers on all pages. */
export interface TransferProgressPage {
  total: number;
  items: TransferProgress[];
}
