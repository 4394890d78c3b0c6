import { applyDecorators, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ApiErrorResponses, BODY_ERRORS, fieldError } from '../core/openapi/api-error-responses';
import { EXAMPLE_UBID } from '../tracking/decorators';
import { ApiTrackingResource, BAD_UBID } from '../tracking/tracking.docs';
import { TrackingState } from '../tracking/tracking-state';
import { CreateSmsTransferDto } from './dto/create-sms-transfer.dto';
import { PurgeResultDto } from './dto/purge-sms-transfers.dto';
import { SetFallbackCountDto } from './dto/set-fallback-count.dto';
import { EXAMPLE_TRANSFER, SmsTransferDto } from './dto/sms-transfer.dto';
import { transferMovingBackwards, transferNotFound } from './sms-transfer.errors';

/*
 * The OpenAPI documentation of the transfer routes, one decorator per route, so that the
 * controller holds only its handlers. Every example error is made by the factory the service
 * throws with (sms-transfer.errors.ts); test/documented-errors checks each against the service.
 */

/** The 404 of every route that names a transfer by its UBID, the progress routes' too. */
export const TRANSFER_NOT_FOUND = { description: 'Unknown UBID.', example: transferNotFound(EXAMPLE_UBID) };
/** A transfer whose undelivered documents went through the fallback channel. */
const WITH_FALLBACKS = { ...EXAMPLE_TRANSFER, state: TrackingState.DONE, fallbackCount: 1250, when: '2024-04-17T10:02:11.000Z' };

/** The controller: its tag, and the 503 every /tracking route may give (the app adds the API keys' 401 and 403). */
export function ApiSmsTransfers() {
  return applyDecorators(ApiTags('SMS_transfers'), ApiTrackingResource());
}

export function ApiCreateTransfer() {
  return applyDecorators(
    ApiOperation({
      summary: 'Register a batch',
      description:
        'Stores a transfer in state INIT. Re-sending an existing UBID replaces its fields and resets state, fallbackCount and when: that is how a failed batch is retried.',
    }),
    ApiBody({
      type: CreateSmsTransferDto,
      examples: {
        batch: {
          summary: 'A batch of 412,343 documents',
          value: {
            SMScount: 824686,
            documents: 412343,
            UBID: EXAMPLE_UBID,
            fileName: 'batch_2024-04-17_0858.json',
            origName: 'april-campaign.csv',
          },
        },
      },
    }),
    ApiCreatedResponse({ type: SmsTransferDto, description: 'The stored transfer, defaults filled in.', example: EXAMPLE_TRANSFER }),
    ApiErrorResponses({
      ...BODY_ERRORS,
      422: { example: fieldError(['body', 'documents'], 'documents must not be less than 1', 'min') },
    }),
  );
}

export function ApiListTransfers() {
  return applyDecorators(
    ApiOperation({ summary: 'List transfers', description: 'Newest first, a page at a time; the total is in the X-Total-Count header.' }),
    ApiOkResponse({
      type: [SmsTransferDto],
      description: 'One page of transfers.',
      example: [EXAMPLE_TRANSFER],
      headers: {
        'X-Total-Count': { description: 'Transfers matching the filter, on all pages.', schema: { type: 'integer', example: 1 } },
      },
    }),
    ApiErrorResponses({ 422: { example: fieldError(['query', 'limit'], 'limit must not be greater than 1000', 'max') } }),
  );
}

export function ApiGetTransfer() {
  return applyDecorators(
    ApiOperation({ summary: 'Read a transfer' }),
    ApiOkResponse({ type: SmsTransferDto, description: 'The transfer.', example: EXAMPLE_TRANSFER }),
    ApiErrorResponses({ 404: TRANSFER_NOT_FOUND, 422: BAD_UBID }),
  );
}

export function ApiComputeFallback() {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({
      summary: 'Compute the fallback count from the documents',
      description:
        'Counts the documents of the transfer that are not DONE (they go through the fallback channel), stores the number in `fallbackCount` and answers the transfer. Counted and stored in one statement.',
    }),
    ApiOkResponse({ type: SmsTransferDto, description: 'The transfer with its new fallbackCount.', example: WITH_FALLBACKS }),
    ApiErrorResponses({ 404: TRANSFER_NOT_FOUND, 422: BAD_UBID }),
  );
}

export function ApiSetFallbackCount() {
  return applyDecorators(
    ApiOperation({
      summary: 'Set the fallback count',
      description: 'Stores the number of documents sent through the fallback channel, as counted by the sender.',
    }),
    ApiOkResponse({ type: SmsTransferDto, description: 'The transfer with its new fallbackCount.', example: WITH_FALLBACKS }),
    ApiBody({ type: SetFallbackCountDto, examples: { counted: { summary: 'Counted by the sender', value: { fallbackCount: 1250 } } } }),
    ApiErrorResponses({
      404: TRANSFER_NOT_FOUND,
      ...BODY_ERRORS,
      422: { example: fieldError(['body', 'fallbackCount'], 'fallbackCount must not be less than 0', 'min') },
    }),
  );
}

export function ApiUpdateTransferState() {
  return applyDecorators(
    ApiOperation({
      summary: 'Set the state of a transfer',
      description:
        'States only move forward (INIT → SENT → DONE); the move sets `when` to now. The same state again is a no-op that answers the transfer unchanged; an earlier state is a 409. Re-registering the transfer (POST) is how it goes back to INIT.',
    }),
    ApiOkResponse({
      type: SmsTransferDto,
      description: 'The updated transfer.',
      example: { ...EXAMPLE_TRANSFER, state: TrackingState.SENT, when: '2024-04-17T09:12:05.000Z' },
    }),
    ApiErrorResponses({
      404: TRANSFER_NOT_FOUND,
      409: {
        description: 'States only move forward (INIT → SENT → DONE): this would move one back. Nothing was changed.',
        example: transferMovingBackwards(EXAMPLE_UBID, TrackingState.DONE, TrackingState.SENT),
      },
      422: { example: fieldError(['path', 'state'], 'state must be one of the following values: INIT, SENT, DONE', 'isEnum') },
    }),
  );
}

export function ApiDeleteTransfer() {
  return applyDecorators(
    HttpCode(HttpStatus.NO_CONTENT),
    ApiOperation({ summary: 'Delete a transfer and its documents', description: 'The documents go with it (ON DELETE CASCADE).' }),
    ApiNoContentResponse({ description: 'Deleted.' }),
    ApiErrorResponses({ 404: TRANSFER_NOT_FOUND, 422: BAD_UBID }),
  );
}

export function ApiPurgeTransfers() {
  return applyDecorators(
    ApiOperation({
      summary: 'Purge old transfers and their documents',
      description:
        "An operator's one-off purge: removes every transfer (optionally only those in `state`) that has not changed since `before`, nor has any of its documents, with its documents. It runs as many short deletes of 2000 documents each, so uploads and reads go on meanwhile, and answers once it is done. Not all or nothing: a purge that fails half-way has removed what it counted so far; run it again to finish. `RETENTION_DAYS` does the same on a schedule.",
    }),
    ApiOkResponse({ type: PurgeResultDto, description: 'What was removed.', example: { transfers: 12, documents: 1843211 } }),
    ApiErrorResponses({
      422: { example: fieldError(['query', 'before'], 'before must be a valid ISO 8601 date string', 'isIso8601') },
    }),
  );
}
