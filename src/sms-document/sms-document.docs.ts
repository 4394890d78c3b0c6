import { applyDecorators, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { DatabaseUnavailableError, SERVER_UNREACHABLE } from '../core/database/database-unavailable';
import { unavailableDetail } from '../core/errors/http-exception.filter';
import { ApiErrorResponses, BODY_ERRORS, fieldError } from '../core/openapi/api-error-responses';
import { transferNotFound } from '../sms-transfer/sms-transfer.errors';
import { EXAMPLE_MESSAGE_ID, EXAMPLE_UBID, EXAMPLE_UNIQUE_ID } from '../tracking/decorators';
import { ApiTrackingResource, BAD_UBID } from '../tracking/tracking.docs';
import { TrackingState } from '../tracking/tracking-state';
import { ReceiptsResultDto, RecordReceiptsDto } from './dto/record-receipts.dto';
import { SmsDocumentDto, SmsDocumentPageDto } from './dto/sms-document.dto';
import { SmsDocumentResultDto } from './dto/sms-document-result.dto';
import { SmsDocumentsSummaryDto } from './dto/sms-documents-summary.dto';
import { UpsertSmsDocumentsDto } from './dto/upsert-sms-documents.dto';
import { EXPORT_ENCODINGS, ExportFormat } from './export/document-export';
import { messageIdTaken } from './receipts/receipts.errors';
import { documentMovingBackwards, documentNotFound, documentsNotFound } from './sms-document.errors';
import { found, inserted, updated } from './sms-document.success-messages';

/*
 * The OpenAPI documentation of the document routes, one decorator per route, so that the
 * controller holds only its handlers. Every example answer is made by the code that answers it
 * (the service's result and error factories) with the example values; test/documented-errors
 * checks that the service really answers each documented error so.
 */

/** The delivery fields of a document submitted to a gateway, before any outcome. */
const SUBMITTED = { gateway: 'jasmin', messageId: 'jasmin-000001', outcome: null, errorCode: null, doneAt: null };
const NO_DOCUMENTS = { description: 'The batch has no documents.', example: documentsNotFound(EXAMPLE_UBID) };
/** The newer routes tell an unknown transfer from one without documents. */
const NO_TRANSFER = { description: 'Unknown UBID: no such transfer.', example: transferNotFound(EXAMPLE_UBID) };
const BAD_STATE = { example: fieldError(['path', 'state'], 'state must be one of the following values: INIT, SENT, DONE', 'isEnum') };

/** The controller: its tag, and the 503 every /tracking route may give (the app adds the API keys' 401 and 403). */
export function ApiSmsDocuments() {
  return applyDecorators(ApiTags('SMS_documents'), ApiTrackingResource());
}

export function ApiUpsertDocuments() {
  return applyDecorators(
    ApiOperation({
      summary: 'Upload documents of a batch',
      description:
        "Bulk upsert of 1 to 5000 documents in one transaction: all are stored or none. An existing (UBID, uniqueId) gets the new values, state INIT and when now, no outcome, and the message ids the upload names (none when it names none). A document may name its gateway's id of its message (`gateway` and `messageId`, both or neither); receipts that arrived before that id are applied in the same transaction.",
    }),
    ApiBody({
      type: UpsertSmsDocumentsDto,
      examples: {
        twoDocuments: {
          summary: 'Two documents',
          value: {
            UBID: EXAMPLE_UBID,
            documents: [
              { SMScount: 1, uniqueId: '0000000001', data: { phone: '+4917012345678', text: 'Your parcel arrives today' } },
              { SMScount: 2, uniqueId: '0000000002', data: { phone: '+4917087654321', text: 'A longer text…', meta: { priority: 1 } } },
            ],
          },
        },
      },
    }),
    ApiCreatedResponse({ type: SmsDocumentResultDto, description: 'All documents stored.', example: inserted(EXAMPLE_UBID, 2) }),
    ApiErrorResponses({
      ...BODY_ERRORS,
      409: {
        description: 'A document other than the one named holds one of the message ids (for this gateway, in any case). Nothing is stored.',
        example: messageIdTaken('jasmin', EXAMPLE_MESSAGE_ID, EXAMPLE_UBID, '0000000002'),
      },
      422: {
        description:
          'Invalid documents (`detail` lists them; `gateway` and `messageId` must be given together), or the UBID is not a registered transfer, or one message id is named for two documents (`detail` is a sentence). Nothing is stored.',
        example: fieldError(['body', 'documents', 3, 'SMScount'], 'SMScount must not be less than 1', 'min'),
      },
    }),
  );
}

export function ApiCountDocuments() {
  return applyDecorators(
    ApiOperation({ summary: 'Count the documents of a batch' }),
    ApiOkResponse({ type: SmsDocumentResultDto, example: found(EXAMPLE_UBID, 412343) }),
    ApiErrorResponses({ 404: NO_DOCUMENTS, 422: BAD_UBID }),
  );
}

export function ApiUpdateDocumentsState() {
  return applyDecorators(
    ApiOperation({
      summary: 'Set the state of every document of a batch',
      description:
        'States only move forward (INIT → SENT → DONE): the documents behind the state move to it and get `when` = now; those in it or further along are left as they are and not counted, so the count can be 0. 404 only when the batch has no documents at all.',
    }),
    ApiOkResponse({ type: SmsDocumentResultDto, example: updated(EXAMPLE_UBID, TrackingState.SENT, 412343) }),
    ApiErrorResponses({ 404: NO_DOCUMENTS, 422: BAD_STATE }),
  );
}

export function ApiGetDocumentsSummary() {
  return applyDecorators(
    ApiOperation({
      summary: "A batch's progress at a glance",
      description:
        'Documents in total and per state, and the time of the last change, read from an index alone. A registered transfer without documents answers zeros.',
    }),
    ApiOkResponse({
      type: SmsDocumentsSummaryDto,
      description: 'The counts add up to `total`.',
      example: { UBID: EXAMPLE_UBID, total: 100000, INIT: 40000, SENT: 10000, DONE: 50000, lastChange: '2024-04-17T09:12:05.000Z' },
    }),
    ApiErrorResponses({ 404: NO_TRANSFER, 422: BAD_UBID }),
  );
}

export function ApiRecordReceipts() {
  return applyDecorators(
    HttpCode(HttpStatus.OK),
    ApiOperation({
      summary: 'Record delivery receipts of up to 5000 documents',
      description:
        'Moves the named documents of the batch to `state`, in one statement and one transaction. States only move forward: if one named document is further along, nothing changes and the answer is 409. Documents already in the state are left as they are; uniqueIds the batch has no document for are listed in `unknown`.',
    }),
    ApiBody({
      type: RecordReceiptsDto,
      examples: {
        delivered: { summary: 'Two messages delivered', value: { state: 'DONE', uniqueIds: [EXAMPLE_UNIQUE_ID, '0000000002'] } },
      },
    }),
    ApiOkResponse({
      type: ReceiptsResultDto,
      example: { UBID: EXAMPLE_UBID, state: 'DONE', changed: 1, unchanged: 0, unknown: ['0000000002'] },
    }),
    ApiErrorResponses({
      404: NO_TRANSFER,
      409: {
        description: 'A named document is further along than `state`; nothing was changed.',
        example: documentMovingBackwards(EXAMPLE_UBID, EXAMPLE_UNIQUE_ID, TrackingState.DONE, TrackingState.SENT),
      },
      ...BODY_ERRORS,
      422: { example: fieldError(['body', 'uniqueIds'], 'uniqueIds must contain no more than 5000 elements', 'arrayMaxSize') },
    }),
  );
}

export function ApiListDocuments() {
  return applyDecorators(
    ApiOperation({
      summary: 'List the documents of a batch, a page at a time',
      description:
        'In uniqueId order, optionally in one state, without their data. Keyset pagination: pass the `next` of a page as `after` to get the one after it; `next` is null on the last page. Every page is a seek in an index, the last as fast as the first.',
    }),
    ApiOkResponse({
      type: SmsDocumentPageDto,
      description: 'One page; `next` is the `after` of the following page, null on the last.',
      example: {
        items: [
          { uniqueId: EXAMPLE_UNIQUE_ID, state: 'SENT', SMScount: 1, when: '2024-04-17T09:12:05.000Z', ...SUBMITTED },
          {
            uniqueId: '0000000002',
            state: 'SENT',
            SMScount: 2,
            when: '2024-04-17T09:12:05.000Z',
            ...SUBMITTED,
            messageId: 'jasmin-000002',
          },
        ],
        next: '0000000002',
      },
    }),
    ApiErrorResponses({ 404: NO_TRANSFER, 422: { example: fieldError(['query', 'limit'], 'limit must not be greater than 5000', 'max') } }),
  );
}

export function ApiGetDocument() {
  return applyDecorators(
    ApiOperation({
      summary: 'Read one document with its data',
      description: 'A uniqueId with characters such as `/` or `?` goes percent-encoded.',
    }),
    ApiOkResponse({
      type: SmsDocumentDto,
      description: 'The document, its data as uploaded.',
      example: {
        UBID: EXAMPLE_UBID,
        uniqueId: EXAMPLE_UNIQUE_ID,
        state: 'DONE',
        SMScount: 1,
        when: '2024-04-17T09:14:40.000Z',
        data: { phone: '+4917012345678', text: 'Your parcel arrives today' },
        ...SUBMITTED,
        outcome: 'delivered',
        errorCode: '000',
        doneAt: '2024-04-17T09:14:00.000Z',
      },
    }),
    ApiErrorResponses({
      404: { description: 'The batch has no document with this uniqueId.', example: documentNotFound(EXAMPLE_UBID, EXAMPLE_UNIQUE_ID) },
      422: { example: fieldError(['path', 'uniqueId'], 'uniqueId must be shorter than or equal to 10 characters', 'maxLength') },
    }),
  );
}

/** Two documents as an export writes them, made by the export's own encoding. */
function exportExample(format: ExportFormat): string {
  const { header, line } = EXPORT_ENCODINGS[format];
  const when = new Date('2024-04-17T09:14:40.000Z');
  return [
    header,
    line({
      UBID: EXAMPLE_UBID,
      uniqueId: EXAMPLE_UNIQUE_ID,
      state: TrackingState.DONE,
      SMScount: 1,
      when,
      data: { text: 'Your parcel, "A-17", arrives today' },
    }),
    line({
      UBID: EXAMPLE_UBID,
      uniqueId: '0000000002',
      state: TrackingState.SENT,
      SMScount: 2,
      when,
      data: { text: 'Line one\nline two' },
    }),
  ].join('');
}

export function ApiExportDocuments() {
  return applyDecorators(
    ApiOperation({
      summary: 'Export every document of a batch, with its data',
      description:
        "Streams the documents in uniqueId order, optionally in one state: NDJSON (one document a line, as `GET …/documents/{uniqueId}` answers it) or CSV (a header row, then one record a document, RFC 4180 quoting, `data` as JSON text; a cell that a spreadsheet would run as a formula, starting with `=`, `+`, `-`, `@`, a tab or a carriage return, is written with a leading `'`). The service reads the batch a page at a time while it sends, so memory stays flat whatever the size: a page holds at most 1000 documents and 1 MiB of their data. Each page is read as the database is at that moment: a document that changes during the export shows as it was when its page was read. An unknown UBID is answered 404 before anything is sent; a failure after the first bytes closes the connection before the end of the body.",
    }),
    ApiOkResponse({
      description: 'The documents, as a file (`Content-Disposition: attachment; filename="<UBID>.<format>"`).',
      content: Object.fromEntries(
        (['ndjson', 'csv'] as const).map((format) => [
          EXPORT_ENCODINGS[format].contentType.split(';')[0],
          { schema: { type: 'string' }, example: exportExample(format) },
        ]),
      ),
    }),
    ApiErrorResponses({
      404: NO_TRANSFER,
      422: { example: fieldError(['query', 'format'], 'format must be one of the following values: ndjson, csv', 'isIn') },
      503: {
        description:
          'The database cannot be used right now, or the service is busy: as many exports as MAX_CONCURRENT_EXPORTS allows are running (`The service is busy: 4 export(s) are running, as many as MAX_CONCURRENT_EXPORTS allows. Retry later.`). Either way before anything is sent; retry after the Retry-After seconds.',
        example: unavailableDetail(new DatabaseUnavailableError(SERVER_UNREACHABLE, undefined)),
      },
    }),
  );
}
