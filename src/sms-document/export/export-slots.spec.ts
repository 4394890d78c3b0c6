import { Writable } from 'node:stream';

import { CallHandler, ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';

import { loadConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { domainErrorBody } from '../../core/errors/http-exception.filter';
import { Metrics } from '../../core/metrics/metrics';
import { ExportSlots } from './export-slots';

/** A response as the interceptor sees it: a writable stream that ends or breaks, and takes headers. */
function response() {
  const stream = new Writable({ write: (_chunk, _encoding, done) => done() });
  return Object.assign(stream, { setHeader: jest.fn() });
}

const contextOf = (res: ReturnType<typeof response>) =>
  ({ switchToHttp: () => ({ getResponse: () => res }) }) as unknown as ExecutionContext;
// The handler's observable is not the point: the interceptor decides before it runs.
const handler: CallHandler = { handle: () => of('exported') };
/** Lets the stream's end reach the interceptor's listener. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('ExportSlots', () => {
  let slots: ExportSlots;
  let metrics: Metrics;
  beforeEach(() => {
    metrics = new Metrics(false);
    slots = new ExportSlots(loadConfig({ MAX_CONCURRENT_EXPORTS: '2' }), metrics);
  });
  const running = async () => (await metrics.registry.getSingleMetric('tracking_exports_running')!.get()).values[0].value;
  /** The 503 the interceptor throws for `res`, with the headers it set; undefined when it lets the export through. */
  const refusalOf = (res: ReturnType<typeof response>) => {
    try {
      slots.intercept(contextOf(res), handler);
      return undefined;
    } catch (error) {
      return {
        ...domainErrorBody(error as DomainError),
        headers: res.setHeader.mock.calls,
      };
    }
  };

  it('lets MAX_CONCURRENT_EXPORTS exports through and refuses the next with 503 and Retry-After', async () => {
    expect([refusalOf(response()), refusalOf(response())]).toEqual([undefined, undefined]);

    expect(refusalOf(response())).toEqual({
      statusCode: 503,
      detail: 'The service is busy: 2 export(s) are running, as many as MAX_CONCURRENT_EXPORTS allows. Retry later.',
      headers: [['Retry-After', 5]],
    });
    expect(await running()).toBe(2);
  });

  it.each([
    ['sent in full', (res: Writable) => res.end()],
    ['cut short, or its client gone', (res: Writable) => res.destroy()],
  ])('gives a slot back when its answer ends, %s', async (_how, end) => {
    const first = response();
    refusalOf(first);
    refusalOf(response());

    end(first);
    await settled();

    expect(await running()).toBe(1);
    expect(refusalOf(response())).toBeUndefined();
  });

  it('gives a slot back at once for an answer whose client is gone already', async () => {
    const gone = response();
    gone.destroy();
    await settled();

    refusalOf(gone);
    await settled();

    expect(await running()).toBe(0);
  });
});
