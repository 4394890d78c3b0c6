import { AppConfig } from '../../core/config/app-config';

export interface ExposureWarning {
  /** `error` when the open API is reachable from the network: loud enough for any log alerting. */
  level: 'warn' | 'error';
  message: string;
}

/** What the operator must hear at start-up when the API has no keys; nothing when it has. */
export function exposureWarning(config: AppConfig): ExposureWarning | undefined {
  if (config.authenticationEnabled) return undefined;
  const address = `${config.host}:${config.port}`;
  if (isLoopback(config.host)) {
    return {
      level: 'warn',
      message: `API_KEYS is not set: the API is open to every program on this machine (${address}). Set API_KEYS before exposing it with HOST.`,
    };
  }
  return {
    level: 'error',
    message:
      `SECURITY WARNING: API_KEYS is not set and HOST=${config.host} exposes the API to the network without authentication: ` +
      `anyone who can reach ${address} can read, change and delete every transfer. Set API_KEYS to require a key.`,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
