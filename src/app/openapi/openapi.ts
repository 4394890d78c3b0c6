import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { static as serveStatic } from 'express';

import { ErrorResponseDto, FieldErrorDto, ValidationErrorResponseDto } from '../../core/errors/error-response.dto';
import { PROJECT_ROOT } from '../../core/project-root';
import { BASIC_SCHEME, KEY_QUERY_SCHEME, TWILIO_SIGNATURE_SCHEME } from '../../gateways/gateways.docs';
import { API_KEY_SCHEME, BEARER_SCHEME, documentApiKeyAnswers } from '../security/api-key-documentation';

const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

export const OPENAPI_UI_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'openapi.json';
/** docs/images, served so that the overview picture in the API description renders in the UI. */
export const IMAGES_PATH = '/images';

const DESCRIPTION = `
Tracks SMS batch deliveries. A sender registers a **transfer** (one batch, key \`UBID\`), uploads its
**documents** (the SMS messages) in sub-batches of up to 5000 with bulk upserts, and moves both through
the states \`INIT → SENT → DONE\`. Deleting a transfer deletes its documents.

When the service runs with API keys (\`API_KEYS\`), every \`/tracking\` route needs one, as
\`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`; use **Authorize** to try them here.

Every call is one database transaction. Errors answer \`{statusCode, detail}\`; invalid requests answer
**422** with \`detail\` listing the rejected fields.

![Overview](${IMAGES_PATH}/overview.svg)
`.trim();

/** The OpenAPI document, built from the controllers and DTOs; operationIds are the controller method names. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('TrackingDb API')
    .setVersion(version)
    .setDescription(DESCRIPTION)
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative first, so that Swagger UI calls the host that serves it wherever the service runs.
    .addServer('/', 'The service that serves this document.')
    .addServer('http://localhost:7000', 'A local service started with `npm start` (default PORT).')
    .addTag('SMS_transfers', 'Transfers: one row per SMS batch, with its file names, counts and state.')
    .addTag('SMS_documents', 'Documents: the SMS messages of a batch, uploaded in bulk, counted and moved through the states together.')
    .addTag(
      'Receipts',
      "Delivery receipts by the gateways' own message ids: the ids of submitted messages, and receipts of any gateway or bridge.",
    )
    .addTag(
      'Progress',
      "What the progress page at / polls: transfers with their documents' summaries, for conditional requests (ETag, 304).",
    )
    .addTag('Health', 'Liveness and readiness probes for load balancers and orchestrators; no API key needed.')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'An API key from API_KEYS, as `Authorization: Bearer <key>`.',
      },
      BEARER_SCHEME,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same key in the `X-API-Key` header.' }, API_KEY_SCHEME)
    .addTag('Gateways', "The SMS gateways' own delivery callbacks (Jasmin, Kannel, Twilio), one report per request.")
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: "Gateway callbacks only: the same key as HTTP basic auth's password, any user name." },
      BASIC_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'query', name: 'key', description: 'Gateway callbacks only: the same key as the `key` query parameter.' },
      KEY_QUERY_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Twilio-Signature',
        description: "Twilio's signature of the callback, checked with TWILIO_AUTH_TOKEN.",
      },
      TWILIO_SIGNATURE_SCHEME,
    )
    .build();
  return documentApiKeyAnswers(
    SwaggerModule.createDocument(app, config, {
      operationIdFactory: (_controllerKey, methodKey) => methodKey,
      extraModels: [ErrorResponseDto, ValidationErrorResponseDto, FieldErrorDto],
    }),
  );
}

/** Swagger UI at /docs, the document at /openapi.json, the pictures at /images. */
export function setupOpenApi(app: INestApplication): void {
  app.use(IMAGES_PATH, serveStatic(join(PROJECT_ROOT, 'docs', 'images')));
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    customSiteTitle: 'TrackingDb API',
    swaggerOptions: { persistAuthorization: true },
  });
}
