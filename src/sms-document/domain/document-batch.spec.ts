import { batchJsonText, toDocumentBatch } from './document-batch';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const decoded = (json: string | Uint8Array) => JSON.parse(batchJsonText(json)) as unknown;

describe('toDocumentBatch', () => {
  it('serializes the documents as one JSON array, text as sent', () => {
    const documents = [{ uniqueId: 'a', SMScount: 1, data: { text: 'Grüße 👋', nested: { list: [1, null] } } }];

    const batch = toDocumentBatch(UBID, documents);

    expect(batch.UBID).toBe(UBID);
    expect(batch.count).toBe(1);
    expect(decoded(batch.json)).toEqual(documents);
    expect(batch.json).toBe(JSON.stringify(documents));
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

  it('reads bytes made in a worker as the same text', () => {
    const text = JSON.stringify([{ uniqueId: 'a', SMScount: 1, data: { text: 'Grüße 👋' } }]);

    expect(batchJsonText(new TextEncoder().encode(text))).toBe(text);
    expect(batchJsonText(text)).toBe(text);
  });
});
