import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import { MAX_MESSAGE_ID_LENGTH, MAX_UNIQUE_ID_LENGTH, MESSAGE_ID } from '../tracking/decorators';

/** A line of the file is not `uniqueId,messageId`; `line` is its number, from 1. */
export class InvalidSubmissionError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

export interface MessageSubmission {
  uniqueId: string;
  messageId: string;
}

/** An optional first line naming the columns, as a spreadsheet exports them. */
const HEADER = /^\s*uniqueId\s*,\s*messageId\s*$/i;

/**
 * Streams the gateway message ids of a file of `uniqueId,messageId` lines (a header line and blank
 * lines skipped, spaces around a value ignored), checked as the API checks them, with the line of
 * the first that is not right. Memory stays flat whatever the size.
 */
export async function* readSubmissionsFile(path: string): AsyncGenerator<MessageSubmission> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '' || (number === 1 && HEADER.test(line))) continue;
    yield submissionOf(line, number);
  }
}

function submissionOf(line: string, number: number): MessageSubmission {
  const fields = line.split(',').map((field) => field.trim());
  if (fields.length !== 2) throw new InvalidSubmissionError(number, `expected "uniqueId,messageId", found ${fields.length} field(s)`);
  const [uniqueId, messageId] = fields;
  if (uniqueId.length < 1 || uniqueId.length > MAX_UNIQUE_ID_LENGTH) {
    throw new InvalidSubmissionError(number, `the uniqueId must have 1 to ${MAX_UNIQUE_ID_LENGTH} characters, not ${uniqueId.length}`);
  }
  if (!MESSAGE_ID.test(messageId)) {
    throw new InvalidSubmissionError(
      number,
      `the messageId must be 1 to ${MAX_MESSAGE_ID_LENGTH} printable ASCII characters without spaces`,
    );
  }
  return { uniqueId, messageId };
}
