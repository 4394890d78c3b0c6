import 'reflect-metadata';

import { CompiledValidation } from '../../core/validation/compiled-validation';
import { UpsertSmsDocumentsDto } from '../dto/upsert-sms-documents.dto';
import { prepareDocumentBatch } from './prepare-document-batch';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const validate = new CompiledValidation().validatorFor(UpsertSmsDocumentsDto)!;
const decoded = (json: Uint8Array) => JSON.parse(new TextDecoder().decode(json));
const bytes = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));

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
    ['with a NUL character in a uniqueId', JSON.stringify({ UBID, documents: [{ ...document, uniqueId: 'a\0' }] })],
    ['with a NUL character in data', JSON.stringify({ UBID, documents: [{ ...document, data: { text: '\0' } }] })],
  ])('makes none of a body %s, leaving the 422 to the usual validation', (_what, body) => {
    expect(prepareDocumentBatch(bytes(body), validate)).toBeUndefined();
  });

  it('makes none of bytes that are not UTF-8', () => {
    const body = Buffer.concat([
      Buffer.from(`{"UBID":"${UBID}","documents":[{"uniqueId":"a","SMScount":1,"data":{"t":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}]}'),
    ]);

    expect(prepareDocumentBatch(body, validate)).toBeUndefined();
  });
});
