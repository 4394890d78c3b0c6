import { DatabaseConfig, DEFAULT_DATABASE_URL, parseDatabaseUrl, SQLITE_SYNCHRONOUS_MODES } from './database-url';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** The service's settings, read once from the environment and injected where needed. */
export class AppConfig {
  constructor(
    readonly port: number,
    readonly database: DatabaseConfig,
    readonly logLevel: LogLevel,
    readonly nodeEnv: NodeEnv,
  ) {}

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
  const synchronous = read('SQLITE_SYNCHRONOUS', 'NORMAL', (raw) => oneOf(raw, SQLITE_SYNCHRONOUS_MODES, { upperCase: true }));
  const poolSize = read('DATABASE_POOL_SIZE', '10', (raw) => parseInteger(raw, 1, 1000));
  const database = read('DATABASE_URL', DEFAULT_DATABASE_URL, (raw) => parseDatabaseUrl(raw, { synchronous: synchronous!, poolSize: poolSize! }));
  const logLevel = read('LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', (raw) => oneOf(raw, LOG_LEVELS));

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return new AppConfig(port!, database!, logLevel!, nodeEnv!);
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
