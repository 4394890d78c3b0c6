import { loadConfig } from '../../core/config/app-config';
import { exposureWarning } from './exposure-warning';

describe('exposureWarning', () => {
  it('says nothing when API keys are set, wherever the service listens', () => {
    expect(exposureWarning(loadConfig({ API_KEYS: '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e', HOST: '0.0.0.0' }))).toBeUndefined();
  });

  // Any 127.x.y.z is this machine, octets of several digits included.
  it.each(['127.0.0.1', '127.10.200.31', 'localhost', '::1'])(
    'warns that the API is open to this machine when it listens on %s',
    (host) => {
      expect(exposureWarning(loadConfig({ HOST: host, PORT: '8080' }))).toEqual({
        level: 'warn',
        message: `API_KEYS is not set: the API is open to every program on this machine (${host}:8080). Set API_KEYS before exposing it with HOST.`,
      });
    },
  );

  // Names that only start or end like a loopback address are other machines.
  it.each(['0.0.0.0', '10.1.2.3', 'tracking.internal', '127.0.0.1.example.net', 'my-127.0.0.1'])(
    'raises an error-level warning when the open API is exposed on %s',
    (host) => {
      expect(exposureWarning(loadConfig({ HOST: host, PORT: '8080' }))).toEqual({
        level: 'error',
        message:
          `SECURITY WARNING: API_KEYS is not set and HOST=${host} exposes the API to the network without authentication: ` +
          `anyone who can reach ${host}:8080 can read, change and delete every transfer. Set API_KEYS to require a key.`,
      });
    },
  );
});
