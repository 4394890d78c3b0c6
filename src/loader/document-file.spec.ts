import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadTestData } from '../../test/helpers/load-test-data';
import { NewSmsDocument } from '../sms-document/domain/sms-document';
import { InvalidDocumentError, readDocumentFile, summarizeDocumentFile } from './document-file';

interface TestData {
  documents: (NewSmsDocument & { ignored?: boolean })[];
  invalid: { name: string; document: unknown; problem: string }[];
}

const { documents, invalid } = loadTestData<TestData>(__filename);
const expected = documents.map(({ uniqueId, SMScount, data }) => ({ uniqueId, SMScount, data }));

async function readAll(path: string): Promise<NewSmsDocument[]> {
  const read: NewSmsDocument[] = [];
  for await (const document of readDocumentFile(path)) read.push(document);
  return read;
}

describe('readDocumentFile', () => {
  let folder: string;
  const file = (name: string, content: string) => {
    const path = join(folder, name);
    writeFileSync(path, content);
    return path;
  };
  const ndjson = (items: unknown[]) => items.map((item) => JSON.stringify(item)).join('\n');

  beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'tracking-load-'))));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads a JSON array, dropping unknown properties', async () => {
    expect(await readAll(file('array.json', `\n  ${JSON.stringify(documents, null, 2)}`))).toEqual(expected);
  });

  it("keeps a document's gateway and message id, which the upload stores (the service checks that both or neither are given)", async () => {
    const named = { uniqueId: 'a', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'Msg-1' };

    expect(await readAll(file('named.ndjson', ndjson([named])))).toEqual([named]);
    await expect(readAll(file('bad-gateway.ndjson', ndjson([{ ...named, gateway: 'Jasmin' }])))).rejects.toThrow(
      'line 1: gateway must be 1 to 16 lower-case letters, digits, "-" or "_"',
    );
  });

  it('reads NDJSON, skipping blank lines', async () => {
    expect(await readAll(file('lines.ndjson', `\n${ndjson(documents)}\n \t\n\n`))).toEqual(expected);
  });

  it.each(invalid)('stops at the first invalid document ($name), saying where and why, in NDJSON', async ({ document, problem }) => {
    const path = file('bad.ndjson', ndjson([...documents, document]));

    await expect(readAll(path)).rejects.toThrow(new InvalidDocumentError('line 4', [problem]));
    await expect(readAll(path)).rejects.toMatchObject({ position: 'line 4', problems: [problem] });
  });

  it.each(invalid)('… and in a JSON array ($name)', async ({ document, problem }) => {
    const path = file('bad.json', JSON.stringify([document, ...documents]));

    await expect(readAll(path)).rejects.toThrow(new InvalidDocumentError('item 1', [problem]));
    await expect(readAll(path)).rejects.toMatchObject({ position: 'item 1', problems: [problem] });
  });

  it('lists every problem of a document, one after the other', async () => {
    const path = file('two-problems.ndjson', ndjson([{ uniqueId: '12345678901', SMScount: 0, data: {} }]));

    await expect(readAll(path)).rejects.toThrow(
      new Error('line 1: SMScount must not be less than 1; uniqueId must be shorter than or equal to 10 characters'),
    );
  });

  it('names the line that is not JSON', async () => {
    const path = file('broken.ndjson', `${ndjson(documents)}\n{"uniqueId": `);

    await expect(readAll(path)).rejects.toThrow(/^line 4: not JSON: /);
  });

  it('names the item of a JSON array that is not JSON', async () => {
    const path = file('broken.json', `${JSON.stringify(documents).slice(0, -1)}, {"uniqueId": }]`);

    await expect(readAll(path)).rejects.toThrow(/^item 4: not JSON: /);
  });

  it('recognises an array after any amount of white space', async () => {
    expect(await readAll(file('spaced.json', `${' '.repeat(10_000)}\n${JSON.stringify(documents)}`))).toEqual(expected);
  });

  it('streams a large file and counts it with its SMS', async () => {
    const many = Array.from({ length: 20_000 }, (_, index) => ({ uniqueId: `m${index}`, SMScount: 2, data: { index } }));
    const path = file('many.ndjson', ndjson(many));

    expect(await summarizeDocumentFile(path)).toEqual({ documents: 20_000, SMScount: 40_000 });
  });
});
