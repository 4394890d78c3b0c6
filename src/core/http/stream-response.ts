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
 * How many 'close' listeners pipeline() puts on the response it writes to, at most at once: seven on
 * Node 20 and 24 (the spec counts them). An export's answer already carries four (the count of requests in
 * flight, the request log, the two of its slot's finished()); with pipeline's that is more than Node's
 * default of ten, whose warning is meant for a leak, and these end with the answer. The limit is
 * raised by exactly pipeline's share, so that a listener added per answer by mistake still warns.
 */
const PIPELINE_CLOSE_LISTENERS = 7;

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
  response.setMaxListeners(response.getMaxListeners() + PIPELINE_CLOSE_LISTENERS);
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
