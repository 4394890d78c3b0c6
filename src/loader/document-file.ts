import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import streamArray from 'stream-json/streamers/stream-array.js';

import { CompiledValidation } from '../core/validation/compiled-validation';
import { NewSmsDocument } from '../sms-document/domain/sms-document';
import { SmsDocumentInputDto } from '../sms-document/dto/upsert-sms-documents.dto';

/** A document of the file breaks the API's rules; `position` says where ("line 12", "item 12"). */
export class InvalidDocumentError extends Error {
  constructor(
    readonly position: string,
    readonly problems: string[],
  ) {
    super(`${position}: ${problems.join('; ')}`);
  }
}

export interface FileSummary {
  documents: number;
  SMScount: number;
}

const compiled = new CompiledValidation();
const isValidDocument = compiled.validatorFor(SmsDocumentInputDto)!;

/**
 * Streams the documents of a file: a JSON array (`[{…}, {…}]`) or NDJSON (one document a line,
 * blank lines skipped). Memory stays flat whatever the size. Each document is checked against the
 * same rules as the API (SmsDocumentInputDto) and unknown properties are dropped.
 */
export async function* readDocumentFile(path: string): AsyncGenerator<NewSmsDocument> {
  const items = (await startsWithArray(path)) ? jsonArrayItems(path) : ndjsonLines(path);
  for await (const { position, value } of items) {
    if (!isValidDocument(value)) {
      throw new InvalidDocumentError(position, describeProblems(value));
    }
    yield value as NewSmsDocument;
  }
}

/** Reads the whole file once, checking every document, to count them before anything is sent. */
export async function summarizeDocumentFile(path: string): Promise<FileSummary> {
  const summary: FileSummary = { documents: 0, SMScount: 0 };
  for await (const document of readDocumentFile(path)) {
    summary.documents += 1;
    summary.SMScount += document.SMScount;
  }
  return summary;
}

interface Item {
  position: string;
  value: unknown;
}

/** A JSON array starts with `[` after any white space; anything else is read as NDJSON. */
async function startsWithArray(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 4096 })) {
    const text = (chunk as string).trimStart();
    if (text.length > 0) return text.startsWith('[');
  }
  return false;
}

async function* jsonArrayItems(path: string): AsyncGenerator<Item> {
  const items = createReadStream(path).pipe(streamArray.withParserAsStream());
  let read = 0;
  try {
    for await (const { key, value } of items as AsyncIterable<{ key: number; value: unknown }>) {
      read = key + 1;
      yield { position: `item ${read}`, value };
    }
  } catch (error) {
    // The parser's message has no position; the item after the last good one is where it broke.
    throw new InvalidDocumentError(`item ${read + 1}`, [`not JSON: ${(error as Error).message}`]);
  }
}

async function* ndjsonLines(path: string): AsyncGenerator<Item> {
  let lineNumber = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const position = `line ${lineNumber}`;
    try {
      yield { position, value: JSON.parse(line) };
    } catch (error) {
      if (error instanceof SyntaxError) throw new InvalidDocumentError(position, [`not JSON: ${error.message}`]);
      throw error;
    }
  }
}

/** class-validator's words for what is wrong, as the API would answer them. */
function describeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ['a document must be a JSON object'];
  }
  const flatten = (errors: ValidationError[]): string[] =>
    errors.flatMap((error) => [...Object.values(error.constraints ?? {}), ...flatten(error.children ?? [])]);
  return flatten(validateSync(plainToInstance(SmsDocumentInputDto, value)));
}
