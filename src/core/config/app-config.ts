import { API_KEY_SCOPES, ApiKeyGrant, ApiKeyScope } from './api-key-scope';
import {
  DatabaseConfig,
  DEFAULT_DATABASE_SETTINGS,
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  SQLITE_SYNCHRONOUS_MODES,
} from './database-url';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Who may call the API and from where; see docs/security.md. */
export interface SecurityConfig {
  /** The accepted API keys, each with its scope; empty means authentication is off. */
  apiKeys: ApiKeyGrant[];
  /** Browser origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
  /** Without API keys, the host names besides this machine's that requests may be addressed to (lower case). */
  allowedHosts: string[];
}

/** How the HTTP server protects its memory and its connections; see docs/operations.md. */
export interface HttpLimitsConfig {
  /** At most this many bytes of request bodies in memory at once (MAX_INFLIGHT_BODY_MB). */
  maxInflightBodyBytes: number;
  /** How long an upload waits for room among them before it is answered 503. */
  uploadWaitMs: number;
  /** A body being read must arrive at least this fast (MIN_BODY_RATE_KIB_S), else 408; 0: no minimum. */
  minBodyBytesPerSecond: number;
  /** A client must have sent its whole request within this (Node's requestTimeout), else 408. */
  requestTimeoutMs: number;
  /** ... and its headers within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Worker threads that parse and check big upload bodies off the event loop; 0: on it. */
  uploadWorkers: number;
  /** Exports streaming at once at most (MAX_CONCURRENT_EXPORTS); one more is answered 503. */
  maxConcurrentExports: number;
}

/** How the SMS gateways' callbacks are checked; see docs/receipts.md. */
export interface GatewaysConfig {
  /** The auth token of the Twilio account whose status callbacks are accepted; null: none are. */
  twilioAuthToken: string | null;
  /** The service's URL as the gateways call it (scheme, host, port, path prefix), for Twilio's signature; null: the request's own. */
  publicUrl: string | null;
}

export interface AppConfigValues {
  host: string;
  port: number;
  database: DatabaseConfig;
  logLevel: LogLevel;
  nodeEnv: NodeEnv;
  security: SecurityConfig;
  http: HttpLimitsConfig;
  /** How long a shutdown may wait for requests in flight before the process gives up on them. */
  shutdownTimeoutMs: number;
  /** Transfers unchanged for this many days are removed by the retention job; null keeps everything. */
  retentionDays: number | null;
  /** Whether GET /metrics serves the Prometheus metrics (and the request and process metrics are measured). */
  metricsEnabled: boolean;
  gateways: GatewaysConfig;
  /** Receipts kept until a submission names their message id; see docs/receipts.md. */
  pendingReceipts: PendingReceiptsConfig;
}

export interface PendingReceiptsConfig {
  /** At most this many are kept (PENDING_RECEIPTS_MAX); a receipt beyond is answered 503. */
  max: number;
  /** Each is kept this many hours at most (PENDING_RECEIPTS_HOURS). */
  hours: number;
}

/** The defaults of the pending receipts: a day of receipts outrunning their submissions, at a rate of ~12/s. */
export const DEFAULT_PENDING_RECEIPTS: PendingReceiptsConfig = { max: 1_000_000, hours: 24 };

/** The body parser's limit per request; the in-flight budget must hold at least one such body. */
export const MAX_BODY_MB = 16;

/** The defaults of the HTTP limits; the body budget's is sized by measurement (docs/performance.md). */
export const DEFAULT_HTTP_LIMITS = {
  maxInflightBodyMb: 32,
  uploadWaitMs: 10_000,
  minBodyRateKibS: 8,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 20_000,
  uploadWorkers: 1,
  maxConcurrentExports: 4,
};

/** Without API keys the API is open, so by default it only listens where no one else can reach it. */
export const LOOPBACK_HOST = '127.0.0.1';
/** With API keys, every interface: the service is meant to be reached from other machines. */
export const ALL_INTERFACES_HOST = '0.0.0.0';
/** A key short enough to guess is refused at start-up; 32 hex digits from `openssl rand -hex 16` pass. */
export const MIN_API_KEY_LENGTH = 16;

/** The settings as fields of AppConfig (the interface merges into the class of the same name). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging -- the constructor assigns every field the interface declares
export interface AppConfig extends Readonly<AppConfigValues> {}

/** The service's settings, read once from the environment and injected where needed. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class AppConfig {
  constructor(values: AppConfigValues) {
    Object.assign(this, values);
  }

  get authenticationEnabled(): boolean {
    return this.security.apiKeys.length > 0;
  }

  /**
   * Production logs are JSON lines for a log collector; elsewhere they are pretty,
   * unless nothing is logged at all (then no pretty-printing worker is started).
   */
  get prettyLogs(): boolean {
    return this.nodeEnv !== 'production' && this.logLevel !== 'silent';
  }
}

/** Thrown at start-up with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates every setting, reporting all bad values at once rather than the first.
 * Tests stay quiet: under NODE_ENV=test the log level defaults to `silent`.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: string, parse: (raw: string) => T): T | undefined => {
    const raw = env[name]?.trim() || fallback;
    try {
      return parse(raw);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return undefined;
    }
  };

  const nodeEnv = read('NODE_ENV', 'development', (raw) => oneOf(raw, NODE_ENVS));
  const port = read('PORT', '7000', parsePort);
  const synchronous = read('SQLITE_SYNCHRONOUS', DEFAULT_DATABASE_SETTINGS.synchronous, (raw) =>
    oneOf(raw, SQLITE_SYNCHRONOUS_MODES, { upperCase: true }),
  );
  const busyTimeoutMs = read('SQLITE_BUSY_TIMEOUT_MS', String(DEFAULT_DATABASE_SETTINGS.busyTimeoutMs), (raw) =>
    parseInteger(raw, 0, 600_000),
  );
  const poolSize = read('DATABASE_POOL_SIZE', String(DEFAULT_DATABASE_SETTINGS.poolSize), (raw) => parseInteger(raw, 1, 1000));
  const readConnections = read('SQLITE_READ_CONNECTIONS', String(DEFAULT_DATABASE_SETTINGS.readConnections), (raw) =>
    parseInteger(raw, 1, 64),
  );
  const statementTimeoutMs = read('DATABASE_STATEMENT_TIMEOUT_MS', String(DEFAULT_DATABASE_SETTINGS.statementTimeoutMs), (raw) =>
    parseInteger(raw, 0, 3_600_000),
  );
  const database = read('DATABASE_URL', DEFAULT_DATABASE_URL, (raw) =>
    parseDatabaseUrl(raw, {
      synchronous: synchronous!,
      busyTimeoutMs: busyTimeoutMs!,
      poolSize: poolSize!,
      readConnections: readConnections!,
      statementTimeoutMs: statementTimeoutMs!,
    }),
  );
  const logLevel = read('LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', (raw) => oneOf(raw, LOG_LEVELS));
  const apiKeys = read('API_KEYS', '', parseApiKeys);
  const host = read('HOST', apiKeys?.length ? ALL_INTERFACES_HOST : LOOPBACK_HOST, parseHost);
  const corsOrigins = read('CORS_ORIGINS', '', parseOrigins);
  const allowedHosts = read('ALLOWED_HOSTS', '', parseHostNames);
  const shutdownTimeoutMs = read('SHUTDOWN_TIMEOUT_MS', '10000', (raw) => parseInteger(raw, 100, 600_000));
  const maxInflightBodyMb = read('MAX_INFLIGHT_BODY_MB', String(DEFAULT_HTTP_LIMITS.maxInflightBodyMb), (raw) =>
    parseInteger(raw, MAX_BODY_MB, 65_536),
  );
  const uploadWaitMs = read('UPLOAD_WAIT_MS', String(DEFAULT_HTTP_LIMITS.uploadWaitMs), (raw) => parseInteger(raw, 0, 600_000));
  const minBodyRateKibS = read('MIN_BODY_RATE_KIB_S', String(DEFAULT_HTTP_LIMITS.minBodyRateKibS), (raw) => parseInteger(raw, 0, 102_400));
  const requestTimeoutMs = read('REQUEST_TIMEOUT_MS', String(DEFAULT_HTTP_LIMITS.requestTimeoutMs), (raw) =>
    parseInteger(raw, 1000, 3_600_000),
  );
  const headersTimeoutMs = read('HEADERS_TIMEOUT_MS', String(DEFAULT_HTTP_LIMITS.headersTimeoutMs), (raw) =>
    parseInteger(raw, 1000, 600_000),
  );
  const retentionDays = read('RETENTION_DAYS', '', (raw) => (raw === '' ? null : parseInteger(raw, 1, 36_500)));
  const metricsEnabled = read('METRICS_ENABLED', 'true', parseBoolean);
  const uploadWorkers = read('UPLOAD_WORKERS', String(DEFAULT_HTTP_LIMITS.uploadWorkers), (raw) => parseInteger(raw, 0, 64));
  const maxConcurrentExports = read('MAX_CONCURRENT_EXPORTS', String(DEFAULT_HTTP_LIMITS.maxConcurrentExports), (raw) =>
    parseInteger(raw, 1, 1000),
  );
  const twilioAuthToken = read('TWILIO_AUTH_TOKEN', '', (raw) => raw || null);
  const publicUrl = read('PUBLIC_URL', '', parsePublicUrl);
  const pendingReceiptsMax = read('PENDING_RECEIPTS_MAX', String(DEFAULT_PENDING_RECEIPTS.max), (raw) => parseInteger(raw, 0, 100_000_000));
  const pendingReceiptsHours = read('PENDING_RECEIPTS_HOURS', String(DEFAULT_PENDING_RECEIPTS.hours), (raw) => parseInteger(raw, 1, 8760));
  if (requestTimeoutMs !== undefined && headersTimeoutMs !== undefined && headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_MS: ${headersTimeoutMs} is longer than REQUEST_TIMEOUT_MS (${requestTimeoutMs}); the headers are part of the request`,
    );
  }

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return new AppConfig({
    host: host!,
    port: port!,
    database: database!,
    logLevel: logLevel!,
    nodeEnv: nodeEnv!,
    security: { apiKeys: apiKeys!, corsOrigins: corsOrigins!, allowedHosts: allowedHosts! },
    http: {
      maxInflightBodyBytes: maxInflightBodyMb! * 1024 * 1024,
      uploadWaitMs: uploadWaitMs!,
      minBodyBytesPerSecond: minBodyRateKibS! * 1024,
      requestTimeoutMs: requestTimeoutMs!,
      headersTimeoutMs: headersTimeoutMs!,
      uploadWorkers: uploadWorkers!,
      maxConcurrentExports: maxConcurrentExports!,
    },
    shutdownTimeoutMs: shutdownTimeoutMs!,
    retentionDays: retentionDays ?? null,
    metricsEnabled: metricsEnabled!,
    gateways: { twilioAuthToken: twilioAuthToken ?? null, publicUrl: publicUrl ?? null },
    pendingReceipts: { max: pendingReceiptsMax!, hours: pendingReceiptsHours! },
  });
}

/** A comma-separated list; blanks around and between items are ignored. */
function listOf(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Entries `key` or `key:scope` (a bare key is `admin`). Never echoes a key, nor what follows its
 * last colon, which may be part of one: the messages name the entry's position only, as the error
 * may be logged.
 */
function parseApiKeys(raw: string): ApiKeyGrant[] {
  const scopes = new Map<string, ApiKeyScope>();
  listOf(raw).forEach((entry, index) => {
    const colon = entry.lastIndexOf(':');
    const key = colon === -1 ? entry : entry.slice(0, colon);
    const scope = colon === -1 ? 'admin' : entry.slice(colon + 1);
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new Error(
        `key #${index + 1} has an unknown scope after its last colon: write key:read, key:write or key:admin, or the key alone for admin`,
      );
    }
    if (key.length < MIN_API_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new Error(
        `key #${index + 1} must be at least ${MIN_API_KEY_LENGTH} printable ASCII characters without spaces (for example the output of \`openssl rand -hex 16\`)`,
      );
    }
    if (scopes.has(key) && scopes.get(key) !== scope) {
      throw new Error(`key #${index + 1} is listed before with another scope; give each key one scope`);
    }
    scopes.set(key, scope as ApiKeyScope);
  });
  return [...scopes].map(([key, scope]) => ({ key, scope }));
}

function parseHost(raw: string): string {
  if (!/^[\w.:-]+$/.test(raw)) {
    throw new Error(`'${raw}' is not a host name or IP address`);
  }
  return raw;
}

/** Names as a Host header carries them: a DNS name, an IPv4 address or a bracketed IPv6 one; no scheme, port or wildcard. */
function parseHostNames(raw: string): string[] {
  return listOf(raw).map((name) => {
    const host = name.toLowerCase();
    if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])$/.test(host)) {
      throw new Error(`'${name}' is not a host name such as tracking.internal, 10.0.0.5 or [fd00::5] (no scheme, port or wildcard)`);
    }
    return host;
  });
}

/** Each origin as a browser sends it: scheme, host and optional port, nothing after. */
function parseOrigins(raw: string): string[] {
  return listOf(raw).map((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new Error(`'${origin}' is not an origin such as https://app.example.com or http://localhost:8080`);
    }
    return origin;
  });
}

/**
 * The URL the gateways call the service at, up to the path the service's routes start at: a
 * scheme, a host, a port and a path prefix when a proxy adds one; no query, no fragment. Kept
 * without its trailing slash, so that a route's path follows it as it is.
 */
function parsePublicUrl(raw: string): string | null {
  if (raw === '') return null;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new Error(
      `'${raw}' is not a URL such as https://tracking.example.com or https://example.com/tracking-db (no query, no credentials)`,
    );
  }
  return raw.replace(/\/+$/, '');
}

function parseBoolean(raw: string): boolean {
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new Error(`'${raw}' is not one of true, false (or 1, 0, yes, no, on, off)`);
}

function parsePort(raw: string): number {
  if (!isIntegerIn(raw, 1, 65535)) {
    throw new Error(`'${raw}' is not a TCP port (an integer from 1 to 65535)`);
  }
  return Number(raw);
}

function parseInteger(raw: string, min: number, max: number): number {
  if (!isIntegerIn(raw, min, max)) {
    throw new Error(`'${raw}' is not an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

function isIntegerIn(raw: string, min: number, max: number): boolean {
  return /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max;
}

function oneOf<T extends string>(raw: string, allowed: readonly T[], { upperCase = false } = {}): T {
  const value = upperCase ? raw.toUpperCase() : raw;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`'${raw}' is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
