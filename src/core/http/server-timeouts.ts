import { Server } from 'node:http';

import { INestApplication } from '@nestjs/common';

import { HttpLimitsConfig } from '../config/app-config';

/**
 * Node's own limits on a slow client, which would otherwise hold a connection, and the room its
 * body has in the budget, for as long as it likes: the whole request (headers and body) must
 * arrive within `requestTimeoutMs`, the headers within `headersTimeoutMs`; Node answers 408 and
 * closes the connection otherwise. Node checks them every 30 s, so a limit can be overrun by up
 * to that much. An idle keep-alive connection is closed after Node's default 5 s.
 */
export function useServerTimeouts(app: INestApplication, limits: HttpLimitsConfig): void {
  const server = app.getHttpServer() as Server;
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
}
