import 'reflect-metadata';
import { CompiledValidation } from '../core/validation/compiled-validation';
import { prepareDocumentBatch, toDocumentBatch } from './document-batch';
import { UpsertSmsDocumentsDto } from './dto/upsert-sms-documents.dto';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const validate = new CompiledValidation().validatorFor(UpsertSmsDocumentsDto)!;
const decoded = (json: Uint8Array) => JSON.parse(new TextDecoder().decode(json));
const bytes = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));

describe('toDocumentBatch', () => {
  it('serializes the documents as one JSON array in UTF-8, text as sent', () => {
    const documents = [{ uniqueId: 'a', SMScount: 1, data: { text: 'Grüße 👋', nested: { list: [1, null] } } }];

    const batch = toDocumentBatch(UBID, documents);

    expect(batch.UBID).toBe(UBID);
    expect(batch.count).toBe(1);
    expect(decoded(batch.json)).toEqual(documents);
    expect(batch.json.byteLength).toBe(Buffer.byteLength(JSON.stringify(documents)));
  });

  it('keeps a repeated uniqueId once, with the values of its last occurrence, in the place of its first', () => {
    const batch = toDocumentBatch(UBID, [
      { uniqueId: 'a', SMScount: 1, data: {} },
      { uniqueId: 'b', SMScount: 1, data: {} },
      { uniqueId: 'a', SMScount: 3, data: { last: false } },
      { uniqueId: 'a', SMScount: 4, data: { last: true } },
    ]);

    expect(batch.count).toBe(2);
    expect(decoded(batch.json)).toEqual([
      { uniqueId: 'a', SMScount: 4, data: { last: true } },
      { uniqueId: 'b', SMScount: 1, data: {} },
    ]);
  });

  it('gives the bytes a buffer of their own, so that a worker can hand them over', () => {
    const { json } = toDocumentBatch(UBID, [{ uniqueId: 'a', SMScount: 1, data: {} }]);

    expect(json.byteOffset).toBe(0);
    expect(json.buffer.byteLength).toBe(json.byteLength);
  });
});

describe('prepareDocumentBatch', () => {
  const document = { uniqueId: 'a', SMScount: 2, data: { text: 'hi', surplus: 'kept: data is free-form' } };

  it('makes the batch of a valid body, without the unknown properties outside data', () => {
    const batch = prepareDocumentBatch(bytes({ UBID, surplus: 1, documents: [{ ...document, state: 'DONE' }, document] }), validate);

    expect(batch).toMatchObject({ UBID, count: 1 });
    expect(decoded(batch!.json)).toEqual([document]);
  });

  it.each([
    ['not JSON', '{"UBID": '],
    ['empty', ''],
    ['JSON but not an object', '[1, 2]'],
    ['against a rule', JSON.stringify({ UBID, documents: [{ ...document, SMScount: 0 }] })],
    ['without documents', JSON.stringify({ UBID, documents: [] })],
    ['with a UBID that is no UUID', JSON.stringify({ UBID: 'nope', documents: [document] })],
  ])('makes none of a body %s, leaving the 422 to the usual validation', (_what, body) => {
    expect(prepareDocumentBatch(bytes(body), validate)).toBeUndefined();
  });

  it('makes none of bytes that are not UTF-8', () => {
    const body = Buffer.concat([Buffer.from(`{"UBID":"${UBID}","documents":[{"uniqueId":"a","SMScount":1,"data":{"t":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}}]}')]);

    expect(prepareDocumentBatch(body, validate)).toBeUndefined();
  });
});
