import { Server } from 'node:http';

import { INestApplication, LoggerService } from '@nestjs/common';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const IDLE_SWEEP_MS = 50;

/**
 * On SIGTERM or SIGINT: stop accepting connections, let the requests in flight finish (each
 * commits or rolls back as a whole and is answered), close the database, exit 0. A request that
 * is still running after `timeoutMs` is abandoned unanswered and the process ends itself with
 * SIGKILL; an unanswered request was not acknowledged, so its client must not count on it.
 *
 * Nest's own enableShutdownHooks() would re-raise the signal after closing, so the process
 * would end "killed by SIGTERM" rather than with exit code 0.
 */
export function shutDownGracefully(app: INestApplication, timeoutMs: number, logger: LoggerService): void {
  let shuttingDown = false;
  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, () => {
      if (shuttingDown) {
        logger.warn(`${signal} received again: still finishing the requests in flight`, 'Shutdown');
        return;
      }
      shuttingDown = true;
      logger.log(`${signal} received: no new connections; finishing the requests in flight, then closing the database`, 'Shutdown');
      // Closing the server drops only the keep-alive connections idle at that moment; those
      // whose request finishes later would otherwise hold the exit up for the keep-alive timeout.
      const server = app.getHttpServer() as Server;
      setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
      setTimeout(() => {
        logger.error(
          `Requests still running after ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): stopping without answering them`,
          undefined,
          'Shutdown',
        );
        // Not process.exit(): it waits for the worker threads, and one may be stuck in a statement
        // (SQLite waiting out its busy timeout). The databases roll back what did not commit.
        process.kill(process.pid, 'SIGKILL');
      }, timeoutMs).unref();
      app.close().then(
        () => {
          logger.log('Shut down cleanly', 'Shutdown');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`, undefined, 'Shutdown');
          process.exit(1);
        },
      );
    });
  }
}
