import 'reflect-metadata';

import { HttpException } from '@nestjs/common';
import Ajv from 'ajv';

import { RequestValidationPipe } from '../../core/validation/request-validation.pipe';
import { batchJsonText } from '../domain/document-batch';
import { UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';
import { DocumentBatchParser } from './document-batch.parser';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const decoded = (json: string | Uint8Array) => JSON.parse(batchJsonText(json)) as unknown;
const bytes = (body: unknown) => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
/** What the validation pipe answers a body parsed the usual way: the answer every other route gives. */
const usualRefusal = (body: unknown) =>
  new RequestValidationPipe().transform(body, { type: 'body', metatype: UpsertSmsDocumentsDto }).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('DocumentBatchParser', () => {
  const document = { uniqueId: 'a', SMScount: 2, data: { text: 'hi', surplus: 'kept: data is free-form' } };
  const parser = new DocumentBatchParser();

  afterEach(() => jest.restoreAllMocks());

  it('makes the batch of a valid body, without the unknown properties outside data', async () => {
    const batch = await parser.fromJson(bytes({ UBID, surplus: 1, documents: [{ ...document, state: 'DONE' }, document] }));

    expect(batch).toMatchObject({ UBID, count: 1 });
    expect(decoded(batch.json)).toEqual([document]);
  });

  it('makes the batch of a body the JSON parser parsed, checked as every body is', async () => {
    const batch = await parser.fromBody({ UBID, documents: [document] });

    expect(decoded(batch.json)).toEqual([document]);
    await expect(parser.fromBody({ UBID, documents: [] })).rejects.toEqual(await usualRefusal({ UBID, documents: [] }));
  });

  it.each([
    ['against a rule', { UBID, documents: [{ ...document, SMScount: 0 }] }],
    ['without documents', { UBID, documents: [] }],
    ['with a UBID that is no UUID', { UBID: 'nope', documents: [document] }],
    ['with a NUL character in a uniqueId', { UBID, documents: [{ ...document, uniqueId: 'a\0' }] }],
    ['with a NUL character in data', { UBID, documents: [{ ...document, data: { text: '\0' } }] }],
    ['that is an array', [1, 2]],
    ['with a gateway name in capitals', { UBID, documents: [{ ...document, gateway: 'Jasmin', messageId: 'm-1' }] }],
    ['with a message id of 65 characters', { UBID, documents: [{ ...document, gateway: 'jasmin', messageId: 'm'.repeat(65) }] }],
    ['with a space in a message id', { UBID, documents: [{ ...document, gateway: 'jasmin', messageId: 'm 1' }] }],
  ])('refuses a body %s with the validation pipe’s 422', async (_what, body) => {
    const refusal = await parser.fromJson(bytes(body)).catch((error: unknown) => error);

    expect(refusal).toEqual(await usualRefusal(body));
    expect(refusal).toMatchObject({ status: 422 });
  });

  it('keeps the message ids of the documents that name them', async () => {
    const named = { ...document, uniqueId: 'b', gateway: 'jasmin', messageId: 'Msg-1' };

    for (const batch of [
      await parser.fromJson(bytes({ UBID, documents: [document, named] })),
      await parser.fromBody({ UBID, documents: [document, named] }),
    ]) {
      expect(decoded(batch.json)).toEqual([document, named]);
      expect(batch.messageIds).toEqual([{ uniqueId: 'b', gateway: 'jasmin', messageId: 'Msg-1' }]);
    }
  });

  it.each([
    ['a gateway without a message id', { gateway: 'jasmin' }, 'messageId', 'messageId must be given with gateway'],
    ['a message id without a gateway', { messageId: 'm-1' }, 'gateway', 'gateway must be given with messageId'],
    ['a message id with a null gateway', { gateway: null, messageId: 'm-1' }, 'gateway', 'gateway must be given with messageId'],
  ])('refuses a document with %s with a 422 naming the document and the field missing', async (_what, ids, field, msg) => {
    const body = { UBID, documents: [document, { ...document, uniqueId: 'b', ...ids }] };
    const expected = {
      status: 422,
      response: { statusCode: 422, detail: [{ loc: ['body', 'documents', 1, field], msg, type: 'givenTogether' }] },
    };

    for (const refusal of [parser.fromJson(bytes(body)), parser.fromBody(body)]) {
      await expect(
        refusal.catch((error: HttpException) => ({ status: error.getStatus(), response: error.getResponse() })),
      ).resolves.toEqual(expected);
    }
  });

  it('takes an empty body for an empty object, as the JSON parser does', async () => {
    expect(await parser.fromJson(bytes('')).catch((error: unknown) => error)).toEqual(await usualRefusal({}));
  });

  it.each([
    ['not JSON', '{"UBID": ', /^Invalid JSON: /],
    ['JSON but not an object or an array', '"text"', /^Invalid JSON: /],
  ])('refuses a body %s with the JSON parser’s 422', async (_what, body, message) => {
    const refusal = await parser.fromJson(bytes(body)).catch((error: unknown) => error);

    expect(refusal).toMatchObject({
      status: 422,
      response: { detail: [{ loc: ['body'], msg: expect.stringMatching(message) as unknown, type: 'json_invalid' }] },
    });
  });

  it('refuses bytes that are not UTF-8 with the JSON parser’s 422', async () => {
    const body = Buffer.concat([
      bytes(`{"UBID":"${UBID}","documents":[{"uniqueId":"a","SMScount":1,"data":{"t":"`),
      Buffer.from([0xc3, 0x28]),
      bytes('"}}]}'),
    ]);

    await expect(parser.fromJson(body)).rejects.toMatchObject({
      status: 422,
      response: { detail: [{ loc: ['body'], msg: 'Invalid JSON: the body is not valid UTF-8', type: 'json_invalid' }] },
    });
  });

  it('parses a refused body once, and compiles the check of its DTO once', async () => {
    const parse = jest.spyOn(JSON, 'parse');
    const compile = jest.spyOn(Ajv.prototype, 'compile');
    const fresh = new DocumentBatchParser();

    await expect(fresh.fromJson(bytes({ UBID, documents: [{ ...document, SMScount: 0 }] }))).rejects.toMatchObject({ status: 422 });
    await expect(fresh.fromJson(bytes({ UBID, documents: [{ ...document, SMScount: 0 }] }))).rejects.toMatchObject({ status: 422 });

    expect(parse).toHaveBeenCalledTimes(2);
    expect(compile).toHaveBeenCalledTimes(1);
  });
});
