import { once } from 'node:events';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { Response } from 'express';

import { RequestsInFlight } from './requests-in-flight';

describe('RequestsInFlight', () => {
  const requests = new RequestsInFlight();
  /** What the handler does with each request's answer; the count is read inside it. */
  let handle: (res: Response) => void;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests.track(res as Response);
      handle(res as Response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  /** Sends a request and resolves with its answer's body; `sent` is the request, to abort. */
  function send() {
    const sent = request({ host: '127.0.0.1', port, path: '/' });
    const answer = new Promise<string>((resolve, reject) => {
      sent.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      sent.on('error', reject);
    });
    sent.end();
    return { sent, answer };
  }

  it('counts a request from its arrival until its answer has been sent', async () => {
    handle = (res) => res.end(String(requests.count));

    expect(await send().answer).toBe('1');
    expect(requests.count).toBe(0);
  });

  it('counts every request in flight at once', async () => {
    const waiting: Response[] = [];
    const arrived = new Promise<void>((resolve) => {
      handle = (res) => {
        waiting.push(res);
        if (waiting.length === 3) resolve();
      };
    });
    const answers = [send(), send(), send()].map(({ answer }) => answer);

    await arrived;
    expect(requests.count).toBe(3);
    waiting[0].end();
    await answers[0];

    expect(requests.count).toBe(2);
    waiting.slice(1).forEach((res) => res.end());
    await Promise.all(answers);
    expect(requests.count).toBe(0);
  });

  it('stops counting a request whose client has gone before its answer', async () => {
    let gone!: Promise<void>;
    const arrived = new Promise<void>((resolve) => {
      handle = (res) => {
        gone = once(res, 'close').then(() => undefined);
        resolve();
      };
    });
    const { sent, answer } = send();
    answer.catch(() => undefined);

    await arrived;
    expect(requests.count).toBe(1);
    sent.destroy();
    await gone;

    expect(requests.count).toBe(0);
  });
});
