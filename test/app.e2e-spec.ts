import { readFileSync } from 'node:fs';

import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { version } from '../package.json';
import { MAX_BODY_BYTES } from '../src/core/http/body-parsing';
import { OPENAPI_FILE } from '../src/write-openapi';
import { createTestApp } from '../tools/app-in-process';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the application (e2e)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  const http = () => request(app.getHttpServer());

  describe('request ids', () => {
    it('makes one and echoes it in X-Request-Id', async () => {
      const response = await http().get('/tracking/sms_transfers');

      expect(response.headers['x-request-id']).toMatch(UUID);
    });

    it("keeps the client's own id", async () => {
      await http().get('/tracking/sms_transfers').set('X-Request-Id', 'client-42.a:b').expect('X-Request-Id', 'client-42.a:b');
    });

    it('replaces an id that is too long or could forge a log line', async () => {
      const response = await http().get('/tracking/sms_transfers').set('X-Request-Id', 'x" injected="1');

      expect(response.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('request bodies', () => {
    it('answers 422 with the parser message for malformed JSON', async () => {
      const response = await http().post('/tracking/sms_transfers').set('Content-Type', 'application/json').send('{"UBID": ').expect(422);

      expect(response.body).toEqual({
        statusCode: 422,
        detail: [{ loc: ['body'], msg: expect.stringMatching(/^Invalid JSON: /), type: 'json_invalid' }],
      });
    });

    it('accepts bodies far above Express’s 100 kB default', async () => {
      const response = await http()
        .post('/tracking/sms_transfers')
        .send({ fileName: 'x'.repeat(MAX_BODY_BYTES - 1024) })
        .expect(422);

      expect(response.body.detail).toContainEqual({
        loc: ['body', 'fileName'],
        msg: 'fileName must be shorter than or equal to 55 characters',
        type: 'maxLength',
      });
    });

    it('answers 413 above 16 MiB', async () => {
      await http()
        .post('/tracking/sms_documents')
        .send({ UBID: 'x'.repeat(MAX_BODY_BYTES) })
        .expect(413, { statusCode: 413, detail: 'Request body is larger than the 16 MiB limit' });
    });

    it('answers 415 for a charset it cannot read', async () => {
      await http()
        .post('/tracking/sms_documents')
        .set('Content-Type', 'application/json; charset=klingon')
        .send('{}')
        .expect(415, { statusCode: 415, detail: 'unsupported charset "KLINGON"' });
    });

    it('treats a body that is not JSON as empty, which fails validation', async () => {
      const response = await http().post('/tracking/sms_documents').set('Content-Type', 'text/plain').send('UBID=1').expect(422);

      expect(response.body.detail.map((error: { loc: string[] }) => error.loc)).toEqual([
        ['body', 'UBID'],
        ['body', 'documents'],
      ]);
    });
  });

  it('answers 404 with detail for an unknown route', async () => {
    await http().get('/tracking/sms_batches').expect(404, { statusCode: 404, detail: 'Cannot GET /tracking/sms_batches' });
  });

  describe('OpenAPI', () => {
    it('serves the document at /openapi.json with every operation named for a client', async () => {
      const { body } = await http().get('/openapi.json').expect(200);

      expect(body.info).toMatchObject({ title: 'TrackingDb API', version });
      expect(body.tags.map((tag: { name: string }) => tag.name)).toEqual([
        'SMS_transfers',
        'SMS_documents',
        'Receipts',
        'Progress',
        'Health',
        'Gateways',
      ]);
      const operations = Object.values(body.paths).flatMap((path) => Object.values(path as Record<string, { operationId: string }>));
      expect(operations.map((operation) => operation.operationId).sort()).toEqual(
        [
          'checkLiveness',
          'checkReadiness',
          'computeFallback',
          'countDocuments',
          'createTransfer',
          'deleteTransfer',
          'exportDocuments',
          'getDocument',
          'getDocumentsSummary',
          'getTransfer',
          'getTransferProgress',
          'listDocuments',
          'listTransferProgress',
          'listTransfers',
          'purgeTransfers',
          'receiveJasminDlr',
          'receiveJasminDlrForm',
          'receiveKannelDlr',
          'receiveTwilioStatus',
          'recordGatewayReceipts',
          'recordReceipts',
          'setFallbackCount',
          'submitMessages',
          'updateDocumentsState',
          'updateTransferState',
          'upsertDocuments',
        ].sort(),
      );
    });

    it('serves the document of docs/openapi.json, which the SDK is generated from', async () => {
      const { body } = await http().get('/openapi.json').expect(200);

      expect(body).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
    });

    it('declares the state enum once, as the named schema TrackingState', async () => {
      const { body } = await http().get('/openapi.json').expect(200);

      expect(body.components.schemas.TrackingState).toEqual({
        type: 'string',
        enum: ['INIT', 'SENT', 'DONE'],
        description: 'Where a transfer or a document is in its life cycle: INIT, then SENT, then DONE.',
      });
      expect(JSON.stringify(body)).not.toContain('"enum":["INIT","SENT","DONE"],"type"');
    });

    it('documents the tracking routes with their limits, their times and the one state schema', async () => {
      const { body } = await http().get('/openapi.json').expect(200);
      const { schemas } = body.components;

      expect(schemas.RecordReceiptsDto.properties.uniqueIds).toMatchObject({ minItems: 1, maxItems: 5000, items: { maxLength: 10 } });
      const stateRef = { allOf: [{ $ref: '#/components/schemas/TrackingState' }] };
      expect(schemas.RecordReceiptsDto.properties.state).toMatchObject(stateRef);
      expect(schemas.SmsDocumentsSummaryDto.properties.lastChange).toMatchObject({ format: 'date-time', nullable: true });
      expect(schemas.SmsDocumentListItemDto.properties.state).toMatchObject(stateRef);
      const listing = body.paths['/tracking/sms_documents/{ubid}/documents'].get;
      expect(listing.parameters.find((parameter: { name: string }) => parameter.name === 'state').schema).toEqual({
        $ref: '#/components/schemas/TrackingState',
      });
      expect(listing.parameters.find((parameter: { name: string }) => parameter.name === 'limit').schema).toMatchObject({
        maximum: 5000,
        default: 1000,
      });
      expect(Object.keys(body.paths['/tracking/sms_documents/{ubid}/receipts'].post.responses).sort()).toEqual([
        '200',
        '401',
        '403',
        '404',
        '408',
        '409',
        '413',
        '422',
        '503',
      ]);
    });

    it('types every error answer with the error schemas', async () => {
      const { body } = await http().get('/openapi.json').expect(200);

      for (const path of Object.values(
        body.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>,
      )) {
        for (const operation of Object.values(path)) {
          for (const [status, response] of Object.entries(operation.responses).filter(([code]) => Number(code) >= 400)) {
            const schema = status === '422' ? 'ValidationErrorResponseDto' : 'ErrorResponseDto';
            expect(response.content).toMatchObject({ 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } });
          }
        }
      }
    });

    it('serves the Swagger UI at /docs and the overview picture it shows', async () => {
      const ui = await http().get('/docs').expect(200);
      expect(ui.text).toContain('<title>TrackingDb API</title>');

      const picture = await http().get('/images/overview.svg').expect(200);
      expect(picture.headers['content-type']).toBe('image/svg+xml');
    });
  });
});
