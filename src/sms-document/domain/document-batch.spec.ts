import { DomainError } from '../../core/errors/domain-error';
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

  it('lists the documents that name their message id, as stored: each uniqueId once, with its last occurrence', () => {
    const batch = toDocumentBatch(UBID, [
      { uniqueId: 'a', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'Old' },
      { uniqueId: 'b', SMScount: 1, data: {} },
      { uniqueId: 'd', SMScount: 1, data: {}, gateway: 'kannel', messageId: 'old' },
      { uniqueId: 'a', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'New' },
      { uniqueId: 'd', SMScount: 1, data: {} },
    ]);

    expect(batch.messageIds).toEqual([{ uniqueId: 'a', gateway: 'jasmin', messageId: 'New' }]);
  });

  it('lists none for an upload that names no message id', () => {
    expect(toDocumentBatch(UBID, [{ uniqueId: 'a', SMScount: 1, data: {} }]).messageIds).toEqual([]);
  });

  it('refuses one message id named for two documents, whatever its case, as a submission does', () => {
    const twice = () =>
      toDocumentBatch(UBID, [
        { uniqueId: 'a', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'Msg-1' },
        { uniqueId: 'b', SMScount: 1, data: {}, gateway: 'kannel', messageId: 'msg-1' },
        { uniqueId: 'c', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'MSG-1' },
      ]);

    expect(twice).toThrow(DomainError);
    expect(twice).toThrow(
      expect.objectContaining({
        kind: 'refused',
        detail: "Message id 'MSG-1' of gateway 'jasmin' is named for two documents, 'a' and 'c'",
      }),
    );
  });

  it('reads bytes made in a worker as the same text', () => {
    const text = JSON.stringify([{ uniqueId: 'a', SMScount: 1, data: { text: 'Grüße 👋' } }]);

    expect(batchJsonText(new TextEncoder().encode(text))).toBe(text);
    expect(batchJsonText(text)).toBe(text);
  });
});
