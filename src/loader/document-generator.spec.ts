import { generateDocuments, inSubBatches, referenceDocument } from './document-generator';

async function sizesOf<T>(batches: AsyncIterable<T[]>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const batch of batches) sizes.push(batch.length);
  return sizes;
}

describe('referenceDocument', () => {
  it('makes reference documents that the API accepts: ids of 10 characters, 1 to 3 SMS', () => {
    expect(referenceDocument(412_342)).toEqual({
      uniqueId: '0000412342',
      SMScount: 2,
      data: {
        phone: '+491700412342',
        text: 'Your parcel 0000412342 arrives today between 10:00 and 12:00. Track it at https://example.com/t/0000412342',
        meta: { campaign: 'reference', priority: 2 },
      },
    });
  });
});

describe('generateDocuments + inSubBatches', () => {
  // The quick cases first: a mutation run stops at the first failing test. This one takes the
  // documents one at a time, so a generator that never ends fails it at once; a case that reads
  // the generator to its end would run until the mutation run's hit limit, minutes later.
  it('makes exactly the documents asked for, in order', () => {
    const documents = generateDocuments(2);

    expect(documents.next().value).toEqual(referenceDocument(0));
    expect(documents.next().value?.uniqueId).toBe('0000000001');
    expect(documents.next()).toEqual({ done: true, value: undefined });
  });

  it('makes sub-batches of one', async () => {
    expect(await sizesOf(inSubBatches(generateDocuments(3), 1))).toEqual([1, 1, 1]);
  });

  it.each([0, -1, 1.5])('refuses a sub-batch size of %p', async (size) => {
    await expect(sizesOf(inSubBatches(generateDocuments(1), size))).rejects.toThrow(`a sub-batch holds at least 1 item, not ${size}`);
  });

  it.each([
    [0, []],
    [1, [1]],
    [4999, [4999]],
    [5000, [5000]],
    [5001, [5000, 1]],
    [412_343, [...Array<number>(82).fill(5000), 2343]],
  ])('splits %d documents into sub-batches of %j', async (count, expected) => {
    expect(await sizesOf(inSubBatches(generateDocuments(count), 5000))).toEqual(expected);
  });

  it('keeps every document once, in order, across sub-batch boundaries', async () => {
    const ids: string[] = [];
    for await (const batch of inSubBatches(generateDocuments(10_001), 5000)) ids.push(...batch.map((doc) => doc.uniqueId));

    expect(ids).toHaveLength(10_001);
    expect(new Set(ids).size).toBe(10_001);
    expect([ids[0], ids[4999], ids[5000], ids[10_000]]).toEqual(['0000000000', '0000004999', '0000005000', '0000010000']);
  });

  it('makes documents only as they are consumed', () => {
    const documents = generateDocuments(Number.MAX_SAFE_INTEGER);

    expect(documents.next().value).toEqual(referenceDocument(0));
  });

  it('groups asynchronous streams too', async () => {
    async function* letters() {
      yield* ['a', 'b', 'c'];
    }

    expect(await sizesOf(inSubBatches(letters(), 2))).toEqual([2, 1]);
  });
});
