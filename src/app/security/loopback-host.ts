import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { SecurityConfig } from '../../core/config/app-config';
import { hostNotAllowed } from './host.errors';

/** The names of this machine that no one else's DNS can give (any port). */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Without API keys, answers only requests addressed to this machine (or to ALLOWED_HOSTS), on
 * every route: 403 otherwise. Listening on 127.0.0.1 keeps other machines out, but not a web page
 * in a local browser: a name of the attacker's that resolves to 127.0.0.1 (DNS rebinding) makes
 * the page's requests same-origin, and without keys nothing else would refuse them. The browser
 * sends that name as `Host`, which the page cannot change. With keys the page has no key to send.
 */
export function useLoopbackHostCheck(app: INestApplication, security: SecurityConfig): void {
  if (security.apiKeys.length > 0) return;
  const allowed = new Set([...LOOPBACK_HOSTS, ...security.allowedHosts]);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(allowed.has(hostNameOf(req.headers.host)) ? undefined : hostNotAllowed());
  });
}

/** A Host header: a name (bracketed for IPv6), then perhaps a port. */
const HOST_HEADER = /^(\[[^\]]*\]|[^:[\]]*)(?::\d*)?$/;

/** The name in a Host header, without its port, in lower case (`[::1]:7000` → `[::1]`); '' when there is none or the header is malformed. */
export function hostNameOf(host: string | undefined): string {
  return HOST_HEADER.exec((host ?? '').toLowerCase())?.[1] ?? '';
}
