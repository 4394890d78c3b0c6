import { DomainError } from '../../core/errors/domain-error';
import { RETRY_AFTER_SECONDS } from '../../core/errors/http-exception.filter';
import { DOCUMENTS_TABLE } from '../sms-document.errors';

/** A submission names a message id another document of the gateway holds; nothing was changed. */
export function messageIdTaken(gateway: string, messageId: string, ubid: string, uniqueId: string): DomainError {
  return new DomainError(
    'conflict',
    `Message id '${messageId}' of gateway '${gateway}' is held by document '${uniqueId}' of UBID '${ubid}' in table ${DOCUMENTS_TABLE}`,
  );
}

/** One request names one message id (ids compare case-insensitively) for two documents. */
export function messageIdNamedTwice(gateway: string, messageId: string, uniqueIds: [string, string]): DomainError {
  return new DomainError(
    'refused',
    `Message id '${messageId}' of gateway '${gateway}' is named for two documents, '${uniqueIds[0]}' and '${uniqueIds[1]}'`,
  );
}

/**
 * PENDING_RECEIPTS_MAX receipts wait for their message ids: a receipt that would be one more is
 * refused rather than dropped after it was acknowledged. Gateways retry a 503.
 */
export function pendingReceiptsFull(max: number): DomainError {
  return new DomainError(
    'unavailable',
    `The service is busy: ${max} receipt(s) wait for their message id, as many as PENDING_RECEIPTS_MAX allows. Retry later.`,
    RETRY_AFTER_SECONDS,
  );
}
