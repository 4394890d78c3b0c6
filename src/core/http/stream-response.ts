import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Logger } from '@nestjs/common';
import { Response } from 'express';

export interface StreamedBody {
  contentType: string;
  /** Offered to a browser as the name to save the body under. */
  fileName: string;
  chunks: AsyncIterable<string>;
}

const logger = new Logger('StreamResponse');
/**
 * pipeline() puts six to eight 'close' listeners on the response it writes to. With those every answer
 * carries (the count of requests in flight, the request log) and an export's slot, that is more
 * than Node's default of ten, whose warning is meant for a leak; these end with the answer.
 */
const PIPELINE_LISTENERS = 10;

/**
 * Sends `chunks` as a 200's body in constant memory. The next chunk is only asked for once the
 * socket has taken the previous ones (pipeline waits for 'drain'), and when the client goes away
 * the iteration is ended (its generators' `finally` blocks run), so no further page is read.
 * The first chunk is awaited before the status line goes out: a failure there (an unusable
 * database) is still answered with its own status. A failure after it can only cut the body short:
 * the connection is closed without the chunked encoding's last chunk, which every client reports.
 */
export async function streamResponse(response: Response, { contentType, fileName, chunks }: StreamedBody): Promise<void> {
  const rest = chunks[Symbol.asyncIterator]();
  const first = await rest.next();
  // attachment() would set the type from the extension: the type comes after it.
  response.status(200).attachment(fileName).type(contentType);
  response.setMaxListeners(response.getMaxListeners() + PIPELINE_LISTENERS);
  try {
    await pipeline(Readable.from(resumed(first, rest), { objectMode: false }), response);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    logger.error(`A streamed answer was cut short: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

/** The iteration again, from its first result on; ending it ends the one underneath. */
async function* resumed<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncGenerator<T> {
  if (first.done) return;
  yield first.value;
  yield* { [Symbol.asyncIterator]: () => rest };
}
