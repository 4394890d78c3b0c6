import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has defaults for everything: port 7000, ./tracking.db, info logs, development', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      port: 7000,
      database: { engine: 'sqlite', path: 'tracking.db', synchronous: 'FULL', busyTimeoutMs: 10_000, readConnections: 2 },
      logLevel: 'info',
      nodeEnv: 'development',
    });
    expect(config.prettyLogs).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'sqlite:/var/lib/tracking/t.db',
      SQLITE_SYNCHRONOUS: 'normal',
      SQLITE_BUSY_TIMEOUT_MS: '2500',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
    });

    expect(config).toMatchObject({
      port: 8080,
      database: { path: '/var/lib/tracking/t.db', synchronous: 'NORMAL', busyTimeoutMs: 2500 },
      logLevel: 'debug',
      nodeEnv: 'production',
    });
    expect(config.prettyLogs).toBe(false);
  });

  it('serves metrics unless METRICS_ENABLED says otherwise', () => {
    expect(loadConfig({}).metricsEnabled).toBe(true);
    expect(loadConfig({ METRICS_ENABLED: 'FALSE' }).metricsEnabled).toBe(false);
    expect(loadConfig({ METRICS_ENABLED: '0' }).metricsEnabled).toBe(false);
    expect(loadConfig({ METRICS_ENABLED: 'on' }).metricsEnabled).toBe(true);
  });

  it('keeps everything unless RETENTION_DAYS is set', () => {
    expect(loadConfig({}).retentionDays).toBeNull();
    expect(loadConfig({ RETENTION_DAYS: ' ' }).retentionDays).toBeNull();
    expect(loadConfig({ RETENTION_DAYS: '90' }).retentionDays).toBe(90);
  });

  it('keeps tests quiet unless LOG_LEVEL says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it.each([
    ['sqlite:tracking.db', 'tracking.db', 2],
    ['sqlite://data/tracking.db', 'data/tracking.db', 2],
    ['sqlite:///var/lib/tracking.db', '/var/lib/tracking.db', 2],
    ['sqlite::memory:', ':memory:', 0],
  ])('understands DATABASE_URL=%s (read connections: %s)', (url, path, readConnections) => {
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({
      engine: 'sqlite',
      path,
      synchronous: 'FULL',
      busyTimeoutMs: 10_000,
      readConnections,
    });
  });

  it('reads DATABASE_STATEMENT_TIMEOUT_MS for PostgreSQL, 0 meaning no limit', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db/tracking', DATABASE_STATEMENT_TIMEOUT_MS: '0' }).database).toMatchObject({
      statementTimeoutMs: 0,
    });
  });

  it('opens SQLITE_READ_CONNECTIONS read-only connections to a file, and none to an in-memory database', () => {
    expect(loadConfig({ SQLITE_READ_CONNECTIONS: '4' }).database).toMatchObject({ readConnections: 4 });
    expect(loadConfig({ SQLITE_READ_CONNECTIONS: '4', DATABASE_URL: 'sqlite::memory:' }).database).toMatchObject({ readConnections: 0 });
  });

  it('has HTTP limits by default, each read from its variable', () => {
    expect(loadConfig({}).http).toEqual({
      maxInflightBodyBytes: 32 * 1024 * 1024,
      uploadWaitMs: 10_000,
      minBodyBytesPerSecond: 8 * 1024,
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 20_000,
      uploadWorkers: 1,
    });
    expect(
      loadConfig({
        MAX_INFLIGHT_BODY_MB: '100',
        UPLOAD_WAIT_MS: '0',
        MIN_BODY_RATE_KIB_S: '0',
        REQUEST_TIMEOUT_MS: '120000',
        HEADERS_TIMEOUT_MS: '5000',
        UPLOAD_WORKERS: '0',
      }).http,
    ).toEqual({
      maxInflightBodyBytes: 100 * 1024 * 1024,
      uploadWaitMs: 0,
      minBodyBytesPerSecond: 0,
      requestTimeoutMs: 120_000,
      headersTimeoutMs: 5000,
      uploadWorkers: 0,
    });
  });

  it.each([
    ['postgres://app:secret@db.internal:5432/tracking', undefined, 10],
    ['postgresql://app@127.0.0.1/tracking', '25', 25],
  ])('understands DATABASE_URL=%s with a pool', (url, poolSize, expected) => {
    expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: poolSize }).database).toEqual({
      engine: 'postgres',
      url,
      poolSize: expected,
      statementTimeoutMs: 30_000,
    });
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
    ['SQLITE_BUSY_TIMEOUT_MS', '-1', "SQLITE_BUSY_TIMEOUT_MS: '-1' is not an integer from 0 to 600000"],
    ['HOST', 'my host', "HOST: 'my host' is not a host name or IP address"],
    [
      'CORS_ORIGINS',
      'https://app.example.com/path',
      "CORS_ORIGINS: 'https://app.example.com/path' is not an origin such as https://app.example.com",
    ],
    ['CORS_ORIGINS', '*', "CORS_ORIGINS: '*' is not an origin"],
    ['CORS_ORIGINS', 'ftp://files.example.com', "CORS_ORIGINS: 'ftp://files.example.com' is not an origin"],
    ['SHUTDOWN_TIMEOUT_MS', '10s', "SHUTDOWN_TIMEOUT_MS: '10s' is not an integer from 100 to 600000"],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '1e4', "DATABASE_STATEMENT_TIMEOUT_MS: '1e4' is not an integer from 0 to 3600000"],
    ['SQLITE_READ_CONNECTIONS', '0', "SQLITE_READ_CONNECTIONS: '0' is not an integer from 1 to 64"],
    ['MAX_INFLIGHT_BODY_MB', '15', "MAX_INFLIGHT_BODY_MB: '15' is not an integer from 16 to 65536"],
    ['UPLOAD_WAIT_MS', '1.5', "UPLOAD_WAIT_MS: '1.5' is not an integer from 0 to 600000"],
    ['MIN_BODY_RATE_KIB_S', '102401', "MIN_BODY_RATE_KIB_S: '102401' is not an integer from 0 to 102400"],
    ['UPLOAD_WORKERS', '-1', "UPLOAD_WORKERS: '-1' is not an integer from 0 to 64"],
    ['METRICS_ENABLED', 'maybe', "METRICS_ENABLED: 'maybe' is not one of true, false (or 1, 0, yes, no, on, off)"],
    ['RETENTION_DAYS', '0', "RETENTION_DAYS: '0' is not an integer from 1 to 36500"],
    ['RETENTION_DAYS', '30d', "RETENTION_DAYS: '30d' is not an integer from 1 to 36500"],
    ['REQUEST_TIMEOUT_MS', '999', "REQUEST_TIMEOUT_MS: '999' is not an integer from 1000 to 3600000"],
    [
      'HEADERS_TIMEOUT_MS',
      '90000',
      'HEADERS_TIMEOUT_MS: 90000 is longer than REQUEST_TIMEOUT_MS (60000); the headers are part of the request',
    ],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  describe('security settings', () => {
    const KEY = '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e';

    it('has no keys and no CORS by default, and then listens on the loopback interface only', () => {
      const config = loadConfig({});

      expect(config.security).toEqual({ apiKeys: [], corsOrigins: [] });
      expect(config.authenticationEnabled).toBe(false);
      expect(config.host).toBe('127.0.0.1');
      expect(config.shutdownTimeoutMs).toBe(10_000);
    });

    it('listens on every interface by default once API keys are set', () => {
      const config = loadConfig({ API_KEYS: KEY });

      expect(config.authenticationEnabled).toBe(true);
      expect(config.host).toBe('0.0.0.0');
    });

    it('lets HOST decide either way', () => {
      expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
      expect(loadConfig({ API_KEYS: KEY, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    });

    it('reads comma-separated keys and origins, ignoring blanks and repeated keys', () => {
      const config = loadConfig({
        API_KEYS: ` ${KEY}, ,0123456789abcdef,${KEY}`,
        CORS_ORIGINS: 'https://app.example.com, http://localhost:8080',
      });

      expect(config.security).toEqual({
        apiKeys: [KEY, '0123456789abcdef'],
        corsOrigins: ['https://app.example.com', 'http://localhost:8080'],
      });
    });

    it.each([
      ['short', 'key #1'],
      [`${KEY},with space inside`, 'key #2'],
    ])('refuses a weak or malformed key without printing it (API_KEYS=%s)', (keys, position) => {
      const load = () => loadConfig({ API_KEYS: keys });

      expect(load).toThrow(`API_KEYS: ${position} must be at least 16 printable ASCII characters without spaces`);
      expect(load).not.toThrow(keys.split(',').pop());
    });
  });
});
