import { applyDecorators, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { DEFAULT_PENDING_RECEIPTS } from '../../core/config/app-config';
import { ApiErrorResponses, BODY_ERRORS, fieldError } from '../../core/openapi/api-error-responses';
import { transferNotFound } from '../../sms-transfer/sms-transfer.errors';
import { EXAMPLE_MESSAGE_ID, EXAMPLE_UBID, EXAMPLE_UNIQUE_ID } from '../../tracking/decorators';
import { DeliveryOutcome, IntermediateStatus } from '../../tracking/gateway-receipt';
import { ApiTrackingResource } from '../../tracking/tracking.docs';
import { GatewayReceiptDto, MAX_RECEIPTS_PER_REQUEST, ReceiptOutcomeDto } from './dto/gateway-receipts.dto';
import { SUBMISSIONS_EXAMPLE, SubmissionsResultDto, SubmitMessagesDto } from './dto/submissions.dto';
import { messageIdNamedTwice, messageIdTaken, pendingReceiptsFull } from './receipts.errors';

/*
 * The OpenAPI documentation of the routes of the gateways' message ids and receipts, one
 * decorator per route; every example error is made by the factory the service throws with.
 */

export function ApiReceipts() {
  return applyDecorators(ApiTags('Receipts'), ApiTrackingResource());
}

export function ApiSubmitMessages() {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({
      summary: "Give documents their gateway's message ids, and move them to SENT",
      description:
        'For 1 to 5000 documents of the batch, in one transaction: stores the message id the gateway gave each (ids compare case-insensitively, and are unique per gateway) and moves INIT documents to SENT; SENT and DONE stay. Receipts that arrived before their id are applied in the same transaction. An id another document holds is a 409, and nothing changes.',
    }),
    ApiBody({ type: SubmitMessagesDto, examples: { submitted: { summary: 'One message handed to Jasmin', value: SUBMISSIONS_EXAMPLE } } }),
    ApiOkResponse({
      type: SubmissionsResultDto,
      example: { UBID: EXAMPLE_UBID, gateway: 'jasmin', changed: 1, unchanged: 0, unknown: ['0000000009'], receiptsApplied: 1 },
    }),
    ApiErrorResponses({
      404: { description: 'Unknown UBID: no such transfer.', example: transferNotFound(EXAMPLE_UBID) },
      409: {
        description: 'Another document holds one of the message ids (of this gateway); nothing was changed.',
        example: messageIdTaken('jasmin', EXAMPLE_MESSAGE_ID, EXAMPLE_UBID, '0000000002'),
      },
      ...BODY_ERRORS,
      422: {
        description: 'A rule of the request failed (the field list), or one message id is named for two documents.',
        example: messageIdNamedTwice('jasmin', EXAMPLE_MESSAGE_ID, [EXAMPLE_UNIQUE_ID, '0000000002']),
      },
    }),
  );
}

export function ApiRecordGatewayReceipts() {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({
      summary: "Record gateways' delivery receipts by message id",
      description: `1 to ${MAX_RECEIPTS_PER_REQUEST} receipts of any gateways and batches, in one transaction, answered once committed. A final outcome (${Object.values(DeliveryOutcome).join(', ')}) moves the document to DONE and is never replaced; an intermediate report (${Object.values(IntermediateStatus).join(', ')}) moves an INIT document to SENT; duplicates change nothing, so any order of the same reports ends the same. A receipt whose id no document has yet is kept (\`pending\`) and applied when a submission names it. While PENDING_RECEIPTS_MAX of them wait, a request that would add one is answered 503 with Retry-After, and nothing of it is stored: '${pendingReceiptsFull(DEFAULT_PENDING_RECEIPTS.max).detail}'`,
    }),
    ApiBody({
      type: [GatewayReceiptDto],
      examples: {
        delivered: {
          summary: 'A delivery and an early report',
          value: [
            { gateway: 'jasmin', messageId: EXAMPLE_MESSAGE_ID, status: 'delivered', errorCode: '000', doneAt: '2024-04-17T09:14:00Z' },
            { gateway: 'kannel', messageId: 'b8f1c2', status: 'accepted' },
          ],
        },
      },
    }),
    ApiOkResponse({
      type: [ReceiptOutcomeDto],
      description: 'What became of each receipt, in the order sent.',
      example: [
        { messageId: EXAMPLE_MESSAGE_ID, gateway: 'jasmin', result: 'applied' },
        { messageId: 'b8f1c2', gateway: 'kannel', result: 'pending' },
      ],
    }),
    ApiErrorResponses({
      ...BODY_ERRORS,
      422: {
        example: fieldError(
          ['body', 0, 'status'],
          `status must be one of the following values: ${[...Object.values(DeliveryOutcome), ...Object.values(IntermediateStatus)].join(', ')}`,
          'isIn',
        ),
      },
    }),
  );
}
