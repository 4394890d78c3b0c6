import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { DEFAULT_HTTP_LIMITS } from '../core/config/app-config';
import { notAForm } from '../core/http/form-body.pipe';
import { formTooLarge } from '../core/http/form-body-parsing';
import { bodyTooSlow } from '../core/http/upload-admission';
import { ApiErrorResponses, ErrorResponses } from '../core/openapi/api-error-responses';
import { ApiTrackingResource } from '../tracking/tracking.docs';
import { ReceiptResultDto } from './dto/receipt-result.dto';
import { badDate, invalidTwilioSignature, missingField, unknownValue } from './gateway.errors';
import { JASMIN_ACK } from './jasmin-dlr';

/*
 * The OpenAPI documentation of the gateways' callbacks, one decorator per route. Every example
 * error is made by the factory the route throws with (gateway.errors.ts).
 */

/** The security schemes of a key given in a URL, beside the API's two; declared in openapi.ts. */
export const BASIC_SCHEME = 'basic';
export const KEY_QUERY_SCHEME = 'keyQuery';
/** Twilio's signature, declared in openapi.ts. */
export const TWILIO_SIGNATURE_SCHEME = 'twilioSignature';

const REFUSED =
  'The report is not one the gateway sends: a field is missing, given twice, or holds a value the gateway never reports. Nothing was recorded.';
const JASMIN_FIELDS = {
  id: "Jasmin's message id, as its submit answered it (1 to 64 characters).",
  message_status:
    "Level 1: the SMPP status of the submit (`ESME_ROK`, or an error); levels 2 and 3: the receipt's `stat` (`DELIVRD`, `EXPIRED`, `UNDELIV`, `DELETED`, `REJECTD`, `UNKNOWN`, `ACCEPTD`, `ENROUTE`).",
  level: "1: the SMSC's answer to the submit; 2: the delivery receipt; 3: both, each in its own report.",
  id_smsc: "The SMSC's message id (levels 2 and 3; not used).",
  subdate: 'When the message was submitted, YYMMDDhhmm (levels 2 and 3; not used).',
  donedate: "When the message reached its state, YYMMDDhhmm, read as UTC: the outcome's time (levels 2 and 3).",
  sub: 'Messages submitted (levels 2 and 3; not used).',
  dlvrd: 'Messages delivered (levels 2 and 3; not used).',
  err: "The SMSC's error code; zero is none (levels 2 and 3).",
  text: 'The first characters of the message (levels 2 and 3; not used).',
};
const JASMIN_EXAMPLE = {
  id: '16fd2706-8baf-433b-82eb-8c7fada847da',
  message_status: 'DELIVRD',
  level: '2',
  id_smsc: '2a6e0d3f',
  subdate: '2410170858',
  donedate: '2410170859',
  sub: '001',
  dlvrd: '001',
  err: '000',
  text: 'Hello from the april campaign',
};
const JASMIN_ERRORS: ErrorResponses = {
  422: { description: REFUSED, example: badDate('Jasmin', 'donedate', '2413170859', 'YYMMDDhhmm').detail },
};
/** The answers a form body may give about itself. */
const FORM_ERRORS: ErrorResponses = {
  408: bodyTooSlow(DEFAULT_HTTP_LIMITS.minBodyRateKibS * 1024),
  413: { description: 'The form is larger than 16 KiB, or has more than 100 fields.', example: formTooLarge() },
  415: { description: 'The body is not a form (application/x-www-form-urlencoded).', example: notAForm() },
};
/** Only the acknowledgement is plain text: an error stays JSON, as on every route (so not ApiProduces, which would say it of them all). */
const RECORDED = {
  type: ReceiptResultDto,
  description: 'Recorded (committed): what became of the report.',
  example: { result: 'applied' },
};
const ACK = {
  description: `Recorded (committed). The body is \`${JASMIN_ACK}\` exactly: with any other answer Jasmin sends the report again.`,
  content: { 'text/plain': { schema: { type: 'string', enum: [JASMIN_ACK] }, example: JASMIN_ACK } },
};
const KEY_IN_URL_SECURITY = [
  () => ApiSecurity('bearer'),
  () => ApiSecurity('apiKey'),
  () => ApiSecurity(BASIC_SCHEME),
  () => ApiSecurity(KEY_QUERY_SCHEME),
];

/** The controller: its tag, and the 503 every /tracking route may give. */
export function ApiGateways() {
  return applyDecorators(ApiTags('Gateways'), ApiTrackingResource());
}

function jasminOperation(how: string) {
  return ApiOperation({
    summary: `Receive a Jasmin DLR (${how})`,
    description:
      "Jasmin's `dlr-url`. Level 1: `ESME_ROK` is accepted (SENT), another status is `rejected` with that status as error code. Levels 2 and 3: `DELIVRD` delivered, `EXPIRED` expired, `UNDELIV` and `DELETED` failed, `REJECTD` rejected, `UNKNOWN` unknown, `ACCEPTD` and `ENROUTE` SENT. Answered once recorded. The API key may also come as HTTP basic auth (any user name, the key as password) or as the `key` query parameter, and needs the `write` scope.",
  });
}

export function ApiJasminDlr() {
  return applyDecorators(
    jasminOperation('GET'),
    ...KEY_IN_URL_SECURITY.map((security) => security()),
    ...Object.entries(JASMIN_FIELDS).map(([name, description]) =>
      ApiQuery({
        name,
        description,
        required: ['id', 'message_status', 'level'].includes(name),
        schema: { type: 'string', example: JASMIN_EXAMPLE[name as keyof typeof JASMIN_EXAMPLE] },
      }),
    ),
    ApiOkResponse(ACK),
    ApiErrorResponses(JASMIN_ERRORS),
  );
}

export function ApiJasminDlrForm() {
  return applyDecorators(
    jasminOperation('POST'),
    ...KEY_IN_URL_SECURITY.map((security) => security()),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['id', 'message_status', 'level'],
        properties: Object.fromEntries(Object.entries(JASMIN_FIELDS).map(([name, description]) => [name, { type: 'string', description }])),
      },
      examples: { delivered: { summary: 'A level-2 report of a delivered message', value: JASMIN_EXAMPLE } },
    }),
    ApiOkResponse(ACK),
    ApiErrorResponses({ ...JASMIN_ERRORS, ...FORM_ERRORS }),
  );
}

export function ApiKannelDlr() {
  return applyDecorators(
    ApiOperation({
      summary: 'Receive a Kannel DLR',
      description:
        "Kannel's `dlr-url`, with `id` the message id and `type` its `%d`: 1 delivered, 2 failed, 4 buffered (SENT), 8 accepted by the SMSC (SENT), 16 rejected. Answered once recorded. The API key may also come as HTTP basic auth or as the `key` query parameter, and needs the `write` scope.",
    }),
    ...KEY_IN_URL_SECURITY.map((security) => security()),
    ApiQuery({ name: 'id', description: 'The message id (1 to 64 characters).', schema: { type: 'string', example: '0a1f3c2b' } }),
    ApiQuery({
      name: 'type',
      description: "The DLR type, Kannel's `%d`.",
      schema: { type: 'string', enum: ['1', '2', '4', '8', '16'], example: '1' },
    }),
    ApiQuery({ name: 'err', required: false, description: 'An error code; zero is none.', schema: { type: 'string', example: '000' } }),
    ApiOkResponse(RECORDED),
    ApiErrorResponses({ 422: { description: REFUSED, example: unknownValue('Kannel', 'type', '3', ['1', '2', '4', '8', '16']).detail } }),
  );
}

export function ApiTwilioStatus() {
  return applyDecorators(
    ApiOperation({
      summary: 'Receive a Twilio status callback',
      description:
        "A message's `StatusCallback`. `queued`, `scheduled`, `accepted`, `sending`, `sent`: SENT; `delivered`, `read`: delivered; `undelivered`, `failed`, `canceled`: failed, with `ErrorCode`. Authenticated by `X-Twilio-Signature` alone (TWILIO_AUTH_TOKEN), no API key. Answered once recorded.",
    }),
    ApiSecurity(TWILIO_SIGNATURE_SCHEME),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['MessageSid', 'MessageStatus'],
        properties: {
          MessageSid: { type: 'string', description: "Twilio's message id." },
          MessageStatus: { type: 'string', description: 'The status the message reached.' },
          ErrorCode: { type: 'string', description: "Twilio's error code, when the message failed." },
        },
        additionalProperties: { type: 'string' },
      },
      examples: {
        undelivered: {
          summary: 'A message the carrier could not deliver',
          value: {
            MessageSid: 'SM1f0e2c3b4a5d6e7f8a9b0c1d2e3f4a5b',
            MessageStatus: 'undelivered',
            ErrorCode: '30003',
            AccountSid: 'AC3f4e1c2b9a8d7e6f5a4b3c2d1e0f9a8b',
          },
        },
      },
    }),
    ApiOkResponse(RECORDED),
    ApiErrorResponses({
      ...FORM_ERRORS,
      403: {
        description: 'The signature is missing or wrong, or the service has no TWILIO_AUTH_TOKEN (then no callback is accepted).',
        example: invalidTwilioSignature(),
      },
      422: { description: REFUSED, example: missingField('Twilio', 'MessageStatus').detail },
    }),
  );
}
