import { PassThrough } from 'node:stream';

import { createProgress } from './progress';

type RecordingStream = NodeJS.WriteStream & { text: () => string };

/** A stream that records what is written to it, a terminal or not. */
function output(isTTY: boolean): RecordingStream {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return Object.assign(stream, { isTTY, columns: 120, text: () => chunks.join('') }) as unknown as RecordingStream;
}

describe('createProgress', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2024-04-17T09:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('draws a bar with the documents done, the rate and the percentage on a terminal', () => {
    const terminal = output(true);
    const progress = createProgress(10, terminal);
    expect(terminal.text()).toContain('0% | 0/10 documents | 0 docs/s');

    jest.advanceTimersByTime(2000);
    progress.advance(4);
    progress.advance(6);
    progress.stop();

    expect(terminal.text()).toContain('100% | 10/10 documents | 5 docs/s');
  });

  it('writes a plain line every two seconds elsewhere, and nothing after stop', () => {
    const pipe = output(false);
    const progress = createProgress(10, pipe);

    progress.advance(3);
    jest.advanceTimersByTime(1999);
    expect(pipe.text()).toBe('');
    jest.advanceTimersByTime(1);
    expect(pipe.text()).toBe('3/10 documents, 2 docs/s\n');

    progress.advance(7);
    jest.advanceTimersByTime(2000);
    progress.stop();
    jest.advanceTimersByTime(10_000);

    expect(pipe.text()).toBe('3/10 documents, 2 docs/s\n10/10 documents, 3 docs/s\n');
  });
});
