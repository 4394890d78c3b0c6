import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has defaults for everything: port 7000, ./tracking.db, info logs, development', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      port: 7000,
      database: { engine: 'sqlite', path: 'tracking.db', synchronous: 'NORMAL' },
      logLevel: 'info',
      nodeEnv: 'development',
    });
    expect(config.prettyLogs).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'sqlite:/var/lib/tracking/t.db',
      SQLITE_SYNCHRONOUS: 'full',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
    });

    expect(config).toMatchObject({
      port: 8080,
      database: { path: '/var/lib/tracking/t.db', synchronous: 'FULL' },
      logLevel: 'debug',
      nodeEnv: 'production',
    });
    expect(config.prettyLogs).toBe(false);
  });

  it('keeps tests quiet unless LOG_LEVEL says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it.each([
    ['sqlite:tracking.db', 'tracking.db'],
    ['sqlite://data/tracking.db', 'data/tracking.db'],
    ['sqlite:///var/lib/tracking.db', '/var/lib/tracking.db'],
    ['sqlite::memory:', ':memory:'],
  ])('understands DATABASE_URL=%s', (url, path) => {
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ engine: 'sqlite', path, synchronous: 'NORMAL' });
  });

  it.each([
    ['postgres://app:secret@db.internal:5432/tracking', undefined, 10],
    ['postgresql://app@127.0.0.1/tracking', '25', 25],
  ])('understands DATABASE_URL=%s with a pool', (url, poolSize, expected) => {
    expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: poolSize }).database).toEqual({ engine: 'postgres', url, poolSize: expected });
  });

  it('reports every bad variable at once, one line each', () => {
    const load = () => loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://u:secret@db/x', LOG_LEVEL: 'loud', NODE_ENV: 'prod' });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      [
        'Invalid configuration:',
        "  - NODE_ENV: 'prod' is not one of development, production, test",
        "  - PORT: '70000' is not a TCP port (an integer from 1 to 65535)",
        "  - DATABASE_URL: 'mysql://u:***@db/x' is not a database URL this service knows; use sqlite:<path>, sqlite::memory: or postgres://user:password@host:port/database",
        "  - LOG_LEVEL: 'loud' is not one of fatal, error, warn, info, debug, trace, silent",
      ].join('\n'),
    );
  });

  it.each([
    ['PORT', 'abc', "PORT: 'abc' is not a TCP port"],
    ['PORT', '0', "PORT: '0' is not a TCP port"],
    ['DATABASE_URL', 'sqlite:', "DATABASE_URL: 'sqlite:' names no database file"],
    ['SQLITE_SYNCHRONOUS', 'off', "SQLITE_SYNCHRONOUS: 'off' is not one of NORMAL, FULL"],
    ['DATABASE_URL', 'postgres://app:pw@localhost', "DATABASE_URL: 'postgres://app:***@localhost' needs a host and a database name"],
    ['DATABASE_POOL_SIZE', '0', "DATABASE_POOL_SIZE: '0' is not an integer from 1 to 1000"],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
