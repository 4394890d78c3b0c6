import { EventEmitter, once } from 'node:events';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

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

  it('tells every listener of each answer as it ends, with the seconds since its arrival, from the one listener the answer carries', () => {
    const counted = new RequestsInFlight();
    const heard: unknown[][] = [];
    counted.onAnswerEnded((res, seconds) => heard.push(['first', res, seconds, counted.count]));
    counted.onAnswerEnded((res, seconds) => heard.push(['second', res, seconds]));
    // A clock that reads 1 s at the arrival and 3.5 s at the end, so that the time told is exact.
    const now = jest.spyOn(performance, 'now').mockReturnValueOnce(1000).mockReturnValueOnce(3500);
    // Only the answer's 'close' matters here: an emitter stands for it.
    const res = new EventEmitter() as unknown as Response;

    counted.track(res);
    expect({ closeListeners: res.listenerCount('close'), count: counted.count, heard }).toEqual({ closeListeners: 1, count: 1, heard: [] });
    res.emit('close');

    expect(heard).toEqual([
      ['first', res, 2.5, 0],
      ['second', res, 2.5],
    ]);
    now.mockRestore();
  });
});
