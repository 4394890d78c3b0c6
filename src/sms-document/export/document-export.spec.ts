import { TrackingState } from '../../tracking/tracking-state';
import { ExportedSmsDocument } from '../domain/sms-document';
import { csvRecord, encodeExport, EXPORT_ENCODINGS } from './document-export';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const when = new Date('2024-04-17T09:12:05.000Z');
const stored = (uniqueId: string, data: Record<string, unknown> = {}): ExportedSmsDocument => ({
  UBID,
  uniqueId,
  state: TrackingState.DONE,
  SMScount: 2,
  when,
  data,
});

async function* pagesOf(...pages: ExportedSmsDocument[][]): AsyncGenerator<ExportedSmsDocument[]> {
  yield* pages;
}

async function chunksOf(chunks: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('EXPORT_ENCODINGS', () => {
  it('names the media type of each format, UTF-8, the CSV one with its header row', () => {
    expect(EXPORT_ENCODINGS.ndjson.contentType).toBe('application/x-ndjson; charset=utf-8');
    expect(EXPORT_ENCODINGS.csv.contentType).toBe('text/csv; charset=utf-8; header=present');
  });
});

describe('csvRecord', () => {
  it.each([
    [['plain', '12'], 'plain,12\r\n'],
    [['a,b'], '"a,b"\r\n'],
    [['say "hi"'], '"say ""hi"""\r\n'],
    [['line\nbreak', 'cr\r'], '"line\nbreak","cr\r"\r\n'],
    [['', ' spaced '], ', spaced \r\n'],
  ])('writes %j as %j (RFC 4180)', (fields, record) => {
    expect(csvRecord(fields)).toBe(record);
  });

  it.each([
    [['=1+2'], "'=1+2\r\n"],
    [['+4917012345678'], "'+4917012345678\r\n"],
    [['-2', '@SUM(A1)'], "'-2,'@SUM(A1)\r\n"],
    [['\tx'], "'\tx\r\n"],
    [['\rx'], `"'\rx"\r\n`],
    [['=HYPERLINK("http://x.example","a,b")'], `"'=HYPERLINK(""http://x.example"",""a,b"")"\r\n`],
    // Only the first character counts: these are text to a spreadsheet already.
    [['a=b', ' =1', "'=1", '1-2', '{"a":"=1"}'], `a=b, =1,'=1,1-2,"{""a"":""=1""}"\r\n`],
  ])("writes %j, which a spreadsheet would run as a formula, as text: %j (a leading ', OWASP's advice)", (fields, record) => {
    expect(csvRecord(fields)).toBe(record);
  });
});

describe('encodeExport', () => {
  it('writes NDJSON: one document a line, its fields in the order of the single-document answer, one chunk a page', async () => {
    const chunks = await chunksOf(encodeExport(pagesOf([stored('a', { text: 'x\ny' }), stored('b')], [stored('c')]), 'ndjson'));

    expect(chunks).toEqual([
      `{"UBID":"${UBID}","uniqueId":"a","state":"DONE","SMScount":2,"when":"2024-04-17T09:12:05.000Z","data":{"text":"x\\ny"}}\n` +
        `{"UBID":"${UBID}","uniqueId":"b","state":"DONE","SMScount":2,"when":"2024-04-17T09:12:05.000Z","data":{}}\n`,
      `{"UBID":"${UBID}","uniqueId":"c","state":"DONE","SMScount":2,"when":"2024-04-17T09:12:05.000Z","data":{}}\n`,
    ]);
  });

  it('writes CSV: the header row with the first page, data as quoted JSON text', async () => {
    const chunks = await chunksOf(encodeExport(pagesOf([stored('a,1', { text: 'say "hi"' })], [stored('b')]), 'csv'));

    expect(chunks).toEqual([
      'UBID,uniqueId,state,SMScount,when,data\r\n' + `${UBID},"a,1",DONE,2,2024-04-17T09:12:05.000Z,"{""text"":""say \\""hi\\""""}"\r\n`,
      `${UBID},b,DONE,2,2024-04-17T09:12:05.000Z,{}\r\n`,
    ]);
  });

  it('neutralises a CSV cell that would start a formula, and leaves NDJSON as stored', async () => {
    const formula = stored('=1+2', { text: '=1+2' });

    expect(await chunksOf(encodeExport(pagesOf([formula]), 'csv'))).toEqual([
      'UBID,uniqueId,state,SMScount,when,data\r\n' + `${UBID},'=1+2,DONE,2,2024-04-17T09:12:05.000Z,"{""text"":""=1+2""}"\r\n`,
    ]);
    expect(await chunksOf(encodeExport(pagesOf([formula]), 'ndjson'))).toEqual([
      `{"UBID":"${UBID}","uniqueId":"=1+2","state":"DONE","SMScount":2,"when":"2024-04-17T09:12:05.000Z","data":{"text":"=1+2"}}\n`,
    ]);
  });

  it('writes the header alone for a batch without documents, and nothing for NDJSON', async () => {
    expect(await chunksOf(encodeExport(pagesOf([]), 'csv'))).toEqual(['UBID,uniqueId,state,SMScount,when,data\r\n']);
    expect(await chunksOf(encodeExport(pagesOf([]), 'ndjson'))).toEqual([]);
  });
});
