import { SmsDocumentEntity } from '../sms-document/sms-document.entity';
import { SmsTransferEntity } from '../sms-transfer/sms-transfer.entity';

/**
 * Every entity of the service. The app's modules register their own with the database module;
 * code that opens a database by itself (tests, benchmarks) passes this list.
 */
export const ENTITIES = [SmsTransferEntity, SmsDocumentEntity];
