import { once } from 'node:events';
import { get, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { Logger } from '@nestjs/common';
import express from 'express';

import { streamResponse } from './stream-response';

const CHUNK = 'x'.repeat(64 * 1024);

/** A source that records how far it has been read and whether it was ended. */
function source(chunks: number, failAt?: number) {
  const seen = { read: 0, ended: false };
  async function* generate(): AsyncGenerator<string> {
    try {
      for (let index = 0; index < chunks; index += 1) {
        if (index === failAt) throw new Error('database gone');
        seen.read += 1;
        yield CHUNK;
      }
    } finally {
      seen.ended = true;
    }
  }
  return { seen, chunks: generate() };
}

describe('streamResponse', () => {
  let server: Server;
  let url: string;
  let body: AsyncIterable<string>;
  let streamed: Promise<void>;
  /** The 'close' listeners of the answer to /listened: its own, the most pipeline() added at once, its limit then, and whether Node would have warned of a leak. */
  let closeListeners: { own: number; mostAdded: number; limit: number; overLimit: boolean };

  beforeEach(async () => {
    const app = express();
    app.get('/', (_req, res, next) => {
      streamed = streamResponse(res, { contentType: 'text/plain; charset=utf-8', fileName: 'b.csv', chunks: body });
      streamed.catch((error: Error) => res.status(503).send(error.message)).catch(next);
    });
    // An answer with as many 'close' listeners of its own as Node allows by default, as the
    // service's answers have some (the count of requests in flight, the request log, an export's
    // slot). Each 'close' listener added after them is counted as Node counts it for its warning.
    app.get('/listened', (_req, res) => {
      while (res.listenerCount('close') < res.getMaxListeners()) res.once('close', () => undefined);
      const own = res.listenerCount('close');
      closeListeners = { own, mostAdded: 0, limit: res.getMaxListeners(), overLimit: false };
      res.on('newListener', (event: string) => {
        if (event !== 'close') return;
        const count = res.listenerCount('close') + 1;
        closeListeners = {
          own,
          mostAdded: Math.max(closeListeners.mostAdded, count - own),
          limit: res.getMaxListeners(),
          overLimit: closeListeners.overLimit || count > res.getMaxListeners(),
        };
      });
      streamed = streamResponse(res, { contentType: 'text/plain; charset=utf-8', fileName: 'b.csv', chunks: body });
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  const request = async (): Promise<IncomingMessage> => {
    const [response] = (await once(get(url), 'response')) as [IncomingMessage];
    return response;
  };
  const waitFor = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it("raises an answer's limit of 'close' listeners by exactly those pipeline() adds, so that its own never warn of a leak", async () => {
    body = source(3).chunks;

    const [response] = (await once(get(`${url}listened`), 'response')) as [IncomingMessage];
    response.resume();
    await once(response, 'end');

    expect(closeListeners.mostAdded).toBeGreaterThan(0);
    expect(closeListeners).toEqual({ own: 10, mostAdded: closeListeners.limit - 10, limit: closeListeners.limit, overLimit: false });
  });

  it('sends every chunk as a 200 with its type and file name', async () => {
    const { chunks } = source(3);
    body = chunks;
    const response = await request();
    let length = 0;
    for await (const data of response) length += (data as Buffer).length;

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': 'attachment; filename="b.csv"',
    });
    expect(length).toBe(3 * CHUNK.length);
  });

  it('reads no further than the socket takes while the client reads nothing', async () => {
    const { seen, chunks } = source(1000);
    body = chunks;
    const response = await request();
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));

    // The socket buffers and the stream's high-water mark hold a few MB at most, not 625 MB.
    expect(seen.read).toBeLessThan(100);
    response.destroy();
    await waitFor(() => seen.ended);
  });

  it('stops reading when the client goes away', async () => {
    const { seen, chunks } = source(1000);
    body = chunks;
    const response = await request();
    await once(response, 'data');
    response.destroy();

    await waitFor(() => seen.ended);
    await expect(streamed).resolves.toBeUndefined();
    const read = seen.read;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.read).toBe(read);
    expect(read).toBeLessThan(100);
  });

  it('lets a failure before the first chunk be answered with its own status', async () => {
    body = source(3, 0).chunks;
    const response = await request();
    let text = '';
    for await (const data of response) text += String(data);

    expect({ status: response.statusCode, text }).toEqual({ status: 503, text: 'database gone' });
  });

  it('cuts the body short on a failure after the first chunk, and logs it', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    body = source(3, 2).chunks;
    const response = await request();
    response.resume();

    await expect(once(response, 'end')).rejects.toThrow('aborted');
    await expect(streamed).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^A streamed answer was cut short: Error: database gone/));
    logged.mockRestore();
  });
});
