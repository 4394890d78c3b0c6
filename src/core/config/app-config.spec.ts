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

  it('accepts no Twilio callbacks and takes no public URL unless told', () => {
    expect(loadConfig({}).gateways).toEqual({ twilioAuthToken: null, publicUrl: null });
    expect(loadConfig({ TWILIO_AUTH_TOKEN: ' 0123456789abcdef ', PUBLIC_URL: 'https://example.com/tracking-db/' }).gateways).toEqual({
      twilioAuthToken: '0123456789abcdef',
      publicUrl: 'https://example.com/tracking-db',
    });
  });

  it('keeps everything unless RETENTION_DAYS is set', () => {
    expect(loadConfig({}).retentionDays).toBeNull();
    expect(loadConfig({ RETENTION_DAYS: ' ' }).retentionDays).toBeNull();
    expect(loadConfig({ RETENTION_DAYS: '90' }).retentionDays).toBe(90);
  });

  it('keeps a million pending receipts for a day unless PENDING_RECEIPTS_MAX and PENDING_RECEIPTS_HOURS say otherwise', () => {
    expect(loadConfig({}).pendingReceipts).toEqual({ max: 1_000_000, hours: 24 });
    expect(loadConfig({ PENDING_RECEIPTS_MAX: '0', PENDING_RECEIPTS_HOURS: '168' }).pendingReceipts).toEqual({ max: 0, hours: 168 });
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
      maxConcurrentExports: 4,
    });
    expect(
      loadConfig({
        MAX_INFLIGHT_BODY_MB: '100',
        UPLOAD_WAIT_MS: '0',
        MIN_BODY_RATE_KIB_S: '0',
        REQUEST_TIMEOUT_MS: '120000',
        HEADERS_TIMEOUT_MS: '5000',
        UPLOAD_WORKERS: '0',
        MAX_CONCURRENT_EXPORTS: '12',
      }).http,
    ).toEqual({
      maxInflightBodyBytes: 100 * 1024 * 1024,
      uploadWaitMs: 0,
      minBodyBytesPerSecond: 0,
      requestTimeoutMs: 120_000,
      headersTimeoutMs: 5000,
      uploadWorkers: 0,
      maxConcurrentExports: 12,
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
    ['MAX_CONCURRENT_EXPORTS', '0', "MAX_CONCURRENT_EXPORTS: '0' is not an integer from 1 to 1000"],
    ['MAX_CONCURRENT_EXPORTS', 'many', "MAX_CONCURRENT_EXPORTS: 'many' is not an integer from 1 to 1000"],
    ['METRICS_ENABLED', 'maybe', "METRICS_ENABLED: 'maybe' is not one of true, false (or 1, 0, yes, no, on, off)"],
    ['PUBLIC_URL', 'tracking.example.com', "PUBLIC_URL: 'tracking.example.com' is not a URL such as https://tracking.example.com"],
    ['PUBLIC_URL', 'ftp://tracking.example.com', "PUBLIC_URL: 'ftp://tracking.example.com' is not a URL"],
    ['PUBLIC_URL', 'https://tracking.example.com/?a=1', "PUBLIC_URL: 'https://tracking.example.com/?a=1' is not a URL"],
    ['PUBLIC_URL', 'https://user:pw@tracking.example.com', "PUBLIC_URL: 'https://user:pw@tracking.example.com' is not a URL"],
    ['RETENTION_DAYS', '0', "RETENTION_DAYS: '0' is not an integer from 1 to 36500"],
    ['RETENTION_DAYS', '30d', "RETENTION_DAYS: '30d' is not an integer from 1 to 36500"],
    ['PENDING_RECEIPTS_MAX', '-1', "PENDING_RECEIPTS_MAX: '-1' is not an integer from 0 to 100000000"],
    ['PENDING_RECEIPTS_HOURS', '0', "PENDING_RECEIPTS_HOURS: '0' is not an integer from 1 to 8760"],
    ['PENDING_RECEIPTS_HOURS', '1d', "PENDING_RECEIPTS_HOURS: '1d' is not an integer from 1 to 8760"],
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

      expect(config.security).toEqual({ apiKeys: [], corsOrigins: [], allowedHosts: [] });
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
        apiKeys: [
          { key: KEY, scope: 'admin' },
          { key: '0123456789abcdef', scope: 'admin' },
        ],
        corsOrigins: ['https://app.example.com', 'http://localhost:8080'],
        allowedHosts: [],
      });
    });

    it('reads ALLOWED_HOSTS as comma-separated host names, in lower case', () => {
      expect(loadConfig({ ALLOWED_HOSTS: ' Tracking.Internal, 10.0.0.5,[FD00::5],my-box ' }).security.allowedHosts).toEqual([
        'tracking.internal',
        '10.0.0.5',
        '[fd00::5]',
        'my-box',
      ]);
    });

    it.each(['tracking.internal:7000', 'http://tracking.internal', '*.example.com', 'fd00::5', '-box', 'box.', 'a b'])(
      'refuses ALLOWED_HOSTS=%s: a Host header never carries that name',
      (name) => {
        expect(() => loadConfig({ ALLOWED_HOSTS: `localhost,${name}` })).toThrow(
          `ALLOWED_HOSTS: '${name}' is not a host name such as tracking.internal, 10.0.0.5 or [fd00::5] (no scheme, port or wildcard)`,
        );
      },
    );

    it('reads each key’s scope after its last colon; a bare key is admin, and a key may hold colons before its scope', () => {
      expect(
        loadConfig({ API_KEYS: `${KEY}:read, 0123456789abcdef:write,fedcba9876543210:admin,a:b:c:d:e:f:g:h:i:read,${KEY}:read` }).security
          .apiKeys,
      ).toEqual([
        { key: KEY, scope: 'read' },
        { key: '0123456789abcdef', scope: 'write' },
        { key: 'fedcba9876543210', scope: 'admin' },
        { key: 'a:b:c:d:e:f:g:h:i', scope: 'read' },
      ]);
    });

    it.each([
      [`${KEY}:reader`, 'key #1'],
      [`${KEY},0123456789abcdef:ADMIN`, 'key #2'],
      [`${KEY},${KEY}:`, 'key #2'],
      // A key that holds a colon must be followed by its scope: what follows its last colon is read as one.
      ['0123456789:abcdef0123', 'key #1'],
    ])('stops start-up on an unknown scope without printing the entry (API_KEYS=%s)', (keys, position) => {
      const load = () => loadConfig({ API_KEYS: keys });

      expect(load).toThrow(
        `API_KEYS: ${position} has an unknown scope after its last colon: write key:read, key:write or key:admin, or the key alone for admin`,
      );
      for (const part of keys.split(/[,:]/).filter((piece) => piece.length > 3)) expect(load).not.toThrow(part);
    });

    it('refuses a key listed twice with two scopes, naming the second by position', () => {
      const load = () => loadConfig({ API_KEYS: `${KEY}:read,0123456789abcdef,${KEY}:write` });

      expect(load).toThrow('API_KEYS: key #3 is listed before with another scope; give each key one scope');
      expect(load).not.toThrow(KEY);
    });

    it.each([
      ['short', 'key #1'],
      [`${KEY},with space inside`, 'key #2'],
      [`${KEY},short:read`, 'key #2'],
    ])('refuses a weak or malformed key without printing it (API_KEYS=%s)', (keys, position) => {
      const load = () => loadConfig({ API_KEYS: keys });

      expect(load).toThrow(`API_KEYS: ${position} must be at least 16 printable ASCII characters without spaces`);
      expect(load).not.toThrow(keys.split(',').pop());
    });
  });
});
