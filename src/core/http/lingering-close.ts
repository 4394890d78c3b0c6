import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { MAX_BODY_BYTES } from './body-parsing';

/** How much of a refused body is read and dropped after the answer: any body the service would take, whole. */
export const LINGER_MAX_BYTES = MAX_BODY_BYTES;
/** How long the connection stays open for it. */
export const LINGER_MS = 10_000;

/**
 * Every answer sent before its request's body has arrived (a 401, a 404, a 503 or 413 of the
 * body budget and parser, a refused `Expect: 100-continue`) closes the connection, lingering:
 * `Connection: close`, the answer, then the rest of the body read and dropped, up to
 * LINGER_MAX_BYTES and LINGER_MS, and only then the close.
 *
 * A server that closes a socket with unread data makes the kernel send a reset, and the client,
 * still writing its body, gets EPIPE or ECONNRESET, often before it has read the answer waiting in
 * its buffer (RFC 9112, 9.6). Node closes a connection answered with `Connection: close` at once,
 * by `socket.destroySoon()` once the answer is written; for these answers the socket's
 * `destroySoon` is replaced by the lingering close.
 */
export function useLingeringClose(app: INestApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    // Every answer goes through writeHead, explicitly or by Node's implicit header, so that this
    // is the last moment to say that the connection will close.
    res.writeHead = ((...args: unknown[]) => {
      if (bodyStillComing(req) && !res.headersSent) {
        res.setHeader('Connection', 'close');
        dropRestOfBody(req);
        const socket = req.socket;
        socket.destroySoon = () => closeLingering(socket, req);
      }
      return writeHead(...args);
    }) as typeof res.writeHead;
    next();
  });
}

/**
 * Whether the request has a body not all of which has arrived. A request without a body may not
 * be `complete` yet while its headers are being handled, but nothing of it is left to read.
 */
function bodyStillComing(req: IncomingMessage): boolean {
  const declared = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (declared !== undefined && Number(declared) > 0);
  return hasBody && !req.complete;
}

/**
 * From the answer on, the body's bytes are dropped as they come, whoever was reading it (the body
 * was left unread, or its reader stopped at the answer), up to LINGER_MAX_BYTES. Reading it keeps
 * Node from dropping it in its own way, which would hide how much arrives.
 */
function dropRestOfBody(req: IncomingMessage): void {
  let dropped = 0;
  req.removeAllListeners('data');
  req.unpipe();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_MAX_BYTES) req.socket.destroy();
  });
  req.resume();
}

/**
 * Half-closes the connection once the answer is written, and closes it once the client is done
 * (gently: after the answer has gone out) or LINGER_MS has passed.
 */
function closeLingering(socket: Socket, req: IncomingMessage): void {
  const closeWhenWritten = () => Socket.prototype.destroySoon.call(socket);
  if (req.complete) return closeWhenWritten();
  socket.end();
  const bound = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(bound));
  // The whole body has come, or the client closed its side: nothing more will arrive.
  req.once('end', closeWhenWritten);
  socket.once('end', closeWhenWritten);
}
