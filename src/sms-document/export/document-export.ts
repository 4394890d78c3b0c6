import { TrackingState } from '../../tracking/tracking-state';
import { ExportedSmsDocument } from '../domain/sms-document';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Documents read per page at most: about 0.2 MB of text for documents of the usual size. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * The data read per page at most, in bytes of its JSON text (but always one document): 16 documents
 * of the largest size (64 KiB), where a page of 1000 of them would hold 64 MB three times over (as
 * the driver's text, as objects, as the encoded page), in every export at once.
 */
export const EXPORT_PAGE_BYTES = 1024 * 1024;

/**
 * The columns of a CSV export; an NDJSON line has the same fields, in the same order, as `GET …/documents/{uniqueId}`
 * without the delivery fields (docs/receipts.md), which came later.
 */
const COLUMNS = ['UBID', 'uniqueId', 'state', 'SMScount', 'when', 'data'] as const;

/** What a spreadsheet reads as the start of a formula in a cell: `=`, `+`, `-`, `@`, a tab or a carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

interface ExportEncoding {
  contentType: string;
  /** Written once, before the first document. */
  header: string;
  line: (document: ExportedSmsDocument) => string;
}

export const EXPORT_ENCODINGS: Record<ExportFormat, ExportEncoding> = {
  ndjson: {
    contentType: 'application/x-ndjson; charset=utf-8',
    header: '',
    line: ({ UBID, uniqueId, state, SMScount, when, data }) => `${JSON.stringify({ UBID, uniqueId, state, SMScount, when, data })}\n`,
  },
  csv: {
    contentType: 'text/csv; charset=utf-8; header=present',
    header: csvRecord(COLUMNS),
    line: ({ UBID, uniqueId, state, SMScount, when, data }) =>
      csvRecord([UBID, uniqueId, state, String(SMScount), when.toISOString(), JSON.stringify(data)]),
  },
};

/** What to export of a batch: its documents (in `state`) as the text of `format`. */
export interface DocumentExportQuery {
  state?: TrackingState;
  format: ExportFormat;
}

/** An export on its way out: what it is, and its text a page at a time. */
export interface DocumentExport {
  contentType: string;
  fileName: string;
  chunks: AsyncIterable<string>;
}

/**
 * One CSV record, RFC 4180: fields with a comma, a quote or a line break are quoted, quotes
 * doubled, lines end in CRLF. A field that a spreadsheet would run as a formula (a uniqueId such as
 * `=HYPERLINK(…)`) gets a leading `'`, as OWASP advises for CSV injection: the cell then shows as text.
 */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map((field) => csvField(FORMULA_START.test(field) ? `'${field}` : field)).join(',')}\r\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The text of each page in `format`, the header before the first; one chunk per page, none for an empty NDJSON export. */
export async function* encodeExport(pages: AsyncIterable<ExportedSmsDocument[]>, format: ExportFormat): AsyncGenerator<string> {
  const { header, line } = EXPORT_ENCODINGS[format];
  let text = header;
  for await (const page of pages) {
    for (const document of page) text += line(document);
    if (text !== '') yield text;
    text = '';
  }
}
