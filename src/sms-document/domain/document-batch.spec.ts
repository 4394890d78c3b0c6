import { toDocumentBatch } from './document-batch';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const decoded = (json: Uint8Array) => JSON.parse(new TextDecoder().decode(json));

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

  // Uploads rarely repeat a uniqueId: the common case serializes the documents as received.
  it('serializes the documents as received, without a copy, when no uniqueId repeats', () => {
    const documents = [
      { uniqueId: 'a', SMScount: 1, data: {} },
      { uniqueId: 'b', SMScount: 2, data: {} },
    ];
    const stringify = jest.spyOn(JSON, 'stringify');

    toDocumentBatch(UBID, documents);

    expect(stringify.mock.calls[0][0]).toBe(documents);
    stringify.mockRestore();
  });

  it('gives the bytes a buffer of their own, so that a worker can hand them over', () => {
    const { json } = toDocumentBatch(UBID, [{ uniqueId: 'a', SMScount: 1, data: {} }]);

    expect(json.byteOffset).toBe(0);
    expect(json.buffer.byteLength).toBe(json.byteLength);
  });
});
