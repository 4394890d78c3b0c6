import { loadConfig } from '../config/app-config';
import { buildPinoHttpOptions } from './pino-options';

describe('buildPinoHttpOptions', () => {
  const serializers = buildPinoHttpOptions(loadConfig({ NODE_ENV: 'test' })).serializers as Record<string, (value: unknown) => unknown>;

  it('logs a request by its method, id and URL, an API key in the URL redacted', () => {
    const req = { id: 'r1', method: 'GET', url: '/tracking/gateways/jasmin/dlr?id=1&key=3f9c2a7e5b1d4c8f&level=2', headers: { host: 'x' } };

    expect(serializers.req(req)).toEqual({ id: 'r1', method: 'GET', url: '/tracking/gateways/jasmin/dlr?id=1&key=[redacted]&level=2' });
  });
});
