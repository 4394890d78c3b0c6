import createClient, { type Client, type ClientOptions } from 'openapi-fetch';

import type { components, paths } from './schema';

/** Everything generated from docs/openapi.json: `paths`, `operations`, and a type per schema, named as in the document. */
export * from './schema';

type Schemas = components['schemas'];

/** A transfer (one SMS batch) as the API returns it. */
export type Transfer = Schemas['SmsTransferDto'];
/** The body that registers a transfer. */
export type NewTransfer = Schemas['CreateSmsTransferDto'];
/** One document (SMS message) of an upload. */
export type DocumentInput = Schemas['SmsDocumentInputDto'];
/** The body of one upload: up to 5000 documents of a transfer. */
export type DocumentsUpload = Schemas['UpsertSmsDocumentsDto'];
/** The answer of the document calls: a sentence and a count. */
export type DocumentsResult = Schemas['SmsDocumentResultDto'];
/** A batch's progress: documents in total and per state, and the time of the last change. */
export type DocumentsSummary = Schemas['SmsDocumentsSummaryDto'];
/** The body of a receipts call: a state and up to 5000 uniqueIds. */
export type Receipts = Schemas['RecordReceiptsDto'];
/** The answer to receipts: how many changed, how many were already there, which uniqueIds are unknown. */
export type ReceiptsResult = Schemas['ReceiptsResultDto'];
/** The body of a submission: a gateway and up to 5000 documents' message ids at that gateway. */
export type MessageSubmissions = Schemas['SubmitMessagesDto'];
/** The answer to a submission: how many changed, how many were there already, which uniqueIds are unknown, pending receipts applied. */
export type SubmissionsResult = Schemas['SubmissionsResultDto'];
/** One page of a batch's documents (without data); `next` is the `after` of the following page. */
export type DocumentPage = Schemas['SmsDocumentPageDto'];
/** One stored document, with its data. */
export type StoredDocument = Schemas['SmsDocumentDto'];
/** The body of a 401, 404, 409, 413 or 503: `detail` is a sentence. */
export type ErrorResponse = Schemas['ErrorResponseDto'];
/** The body of a 422: `detail` lists the rejected fields, or is a sentence when the database refused the write. */
export type ValidationErrorResponse = Schemas['ValidationErrorResponseDto'];
/** One rejected field of a 422. */
export type FieldError = Schemas['FieldErrorDto'];

export type TrackingClient = Client<paths>;

export interface TrackingClientOptions {
  /** The API key, when the service runs with API_KEYS: sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Sent with every request, such as an `X-Request-Id` of your own. */
  headers?: Record<string, string>;
  /** A fetch of your own (a proxy, a test double); the global `fetch` by default. */
  fetch?: ClientOptions['fetch'];
}

/**
 * A client of the TrackingDb API at `baseUrl` (for example `http://localhost:7000`): one typed
 * method per HTTP verb, called with a path of the API, such as
 * `client.GET('/tracking/sms_transfers/{ubid}', { params: { path: { ubid } } })`. Each call
 * resolves to `{ data }` on success or `{ error }` (the typed error body) and `response`.
 */
export function createTrackingClient(baseUrl: string, { apiKey, headers, fetch }: TrackingClientOptions = {}): TrackingClient {
  return createClient<paths>({
    baseUrl,
    fetch,
    headers: { ...headers, ...(apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` }) },
  });
}
