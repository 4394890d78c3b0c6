import { IncomingMessage, Server } from 'node:http';

import { HttpStatus, INestApplication, Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { BodyBudget } from './body-budget';
import { MAX_BODY_BYTES } from './body-parsing';
import { RouteSet } from './body-routes';

/**
 * A body that has not sent a byte for this long gives back the room it has not filled yet. Long
 * enough for a client that feeds many uploads at once (each then gets its bytes in bursts);
 * short enough that clients sending nothing cycle through the budget quickly.
 */
export const BODY_STALL_MS = 1000;
/** An upload with this much of its body buffered (or all of it) is arriving, and goes first in line. */
const ARRIVING_BYTES = 4096;
/** What a refused upload is told to wait before it tries again. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

export interface UploadAdmissionOptions {
  budget: BodyBudget;
  /** How long an upload may wait for room before it is answered 503. */
  waitMs: number;
  /** The routes that take a body; requests to the others pass through without room. */
  bodyRoutes: RouteSet;
}

/**
 * Bounds the memory that request bodies take: every body needs room in the shared `BodyBudget`
 * before it is read, and holds it until its answer has been sent (the parsed documents live that
 * long). It runs after authentication and before the body parser, on the routes that take a body
 * only: every other request (every read, any unknown path) passes straight through, unread.
 *
 * - A body with a `Content-Length` takes room for all of it before a byte is read. Without room
 *   within `waitMs` it is answered 503 with `Retry-After`, unread.
 * - A chunked body takes room as it arrives, and is paused while there is none.
 * - A compressed body takes room for the largest body the parser inflates (MAX_BODY_BYTES): its
 *   size on the wire says little about its size in memory.
 * - A body that stops arriving for BODY_STALL_MS gives back the room it has not filled, so that
 *   clients that declare a large body and send nothing cannot lock the others out; it takes the
 *   room again when it goes on, paused until it has it, first in line.
 * - A client that sends `Expect: 100-continue` gets its "100 Continue" only once its body has room:
 *   a refused one never sends the body at all.
 */
export function useUploadAdmission(app: INestApplication, { budget, waitMs, bodyRoutes }: UploadAdmissionOptions): void {
  const logger = new Logger('UploadAdmission');
  const server = app.getHttpServer() as Server;
  // Without this listener Node answers "100 Continue" itself, before any middleware has run.
  server.on('checkContinue', (req, res) => server.emit('request', req, res));

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!bodyRoutes.has(req)) return next();
    const declared = declaredBodyLength(req);
    // No body, or one the parser refuses from its Content-Length alone (413, unread).
    if (declared === 0 || (declared ?? 0) > MAX_BODY_BYTES) {
      if (declared === 0) continueIfExpected(req, res);
      return next();
    }
    const compressed = (req.headers['content-encoding'] ?? 'identity') !== 'identity';
    const upload = new TrackedUpload(req, res, budget, compressed ? MAX_BODY_BYTES : declared, !compressed, waitMs, () =>
      answerBusy(res, budget, logger),
    );
    void upload.admit().then((admitted) => {
      if (!admitted) return answerBusy(res, budget, logger);
      continueIfExpected(req, res);
      next();
    });
  });
}

/** The body's declared size; undefined for a chunked body, 0 without a body. */
function declaredBodyLength(req: IncomingMessage): number | undefined {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length);
  return req.headers['transfer-encoding'] === undefined ? 0 : undefined;
}

function continueIfExpected(req: IncomingMessage, res: Response): void {
  if (/^100-continue$/i.test(req.headers.expect ?? '')) res.writeContinue();
}

/**
 * The 503, in the shape of every error of the API. `Connection: close`: the rest of the body is
 * not read into memory (it is read and dropped, see useLingeringClose) and the client does not
 * send the next request on a connection whose last body it may still be writing.
 */
function answerBusy(res: Response, budget: BodyBudget, logger: Logger): void {
  // The client went away, or the request was answered meanwhile (the parser refused the body).
  if (res.headersSent || res.destroyed) return;
  const detail = busyDetail(budget.limitBytes);
  logger.warn(
    `Upload refused with 503: no room for its body in ${Math.round(budget.limitBytes / 1024 / 1024)} MiB (${budget.waiting} waiting)`,
  );
  res.setHeader('Retry-After', BUSY_RETRY_AFTER_SECONDS);
  res.setHeader('Connection', 'close');
  res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, detail });
}

/** The 503's words for an upload the body budget has no room for. */
export function busyDetail(limitBytes: number): string {
  return `The service is busy: the request bodies in memory take up the ${Math.round(limitBytes / 1024 / 1024)} MiB allowed (MAX_INFLIGHT_BODY_MB). Retry later.`;
}

/** One request body's room in the budget, from admission until its answer has been sent. */
class TrackedUpload {
  private held = 0;
  private arrived: number;
  private admitted = false;
  private waitingForRoom = false;
  private stallTimer?: NodeJS.Timeout;
  private readonly gone = new AbortController();

  constructor(
    private readonly req: IncomingMessage,
    res: Response,
    private readonly budget: BodyBudget,
    /** The room the body needs in all; undefined: as much as has arrived (chunked). */
    private readonly declared: number | undefined,
    /** Whether the arriving bytes are what the body takes in memory, so that a stalled body may give back the rest. */
    private readonly plain: boolean,
    private readonly waitMs: number,
    private readonly refuseMidBody: () => void,
  ) {
    // Body bytes the parser has handed over already (they came with the headers).
    this.arrived = req.readableLength;
    // The parser hands each piece of the body to push(); counting there sees every byte as it
    // arrives without reading the stream, so the body parser still gets all of it.
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk) this.onArrival((chunk as Buffer).length);
      return push(chunk, encoding);
    };
    res.once('close', () => this.release());
  }

  /** Whether the body is arriving, for the place in line. */
  private readonly arriving = () => this.arrived >= Math.min(ARRIVING_BYTES, this.declared ?? ARRIVING_BYTES);

  async admit(): Promise<boolean> {
    const room = this.declared ?? 0;
    if (!(await this.budget.take(room, { waitMs: this.waitMs, arriving: this.arriving, signal: this.gone.signal }))) return false;
    this.held = room;
    this.admitted = true;
    this.watchForStall();
    return true;
  }

  private onArrival(bytes: number): void {
    // Answered: the rest of the body is dropped as it comes, and takes no room.
    if (this.gone.signal.aborted) return;
    const wasArriving = this.arriving();
    this.arrived += bytes;
    if (!this.admitted) {
      // Waiting in line: an upload whose body now arrives may go ahead of those that send nothing.
      if (!wasArriving && this.arriving()) this.budget.serve();
      return;
    }
    this.stallTimer?.refresh();
    this.claim(this.declared ?? this.arrived);
  }

  /** Holds room for `needed` bytes, pausing the body until it has it. */
  private claim(needed: number): void {
    if (this.held >= needed || this.waitingForRoom) return;
    const more = needed - this.held;
    if (this.budget.tryTake(more)) {
      this.held += more;
      return;
    }
    this.waitingForRoom = true;
    this.req.pause();
    // Part of this body is in memory already: it goes first in line.
    void this.budget.take(more, { waitMs: this.waitMs, resuming: true, signal: this.gone.signal }).then((granted) => {
      this.waitingForRoom = false;
      if (!granted) {
        if (!this.gone.signal.aborted) this.refuseMidBody();
        return;
      }
      this.held += more;
      this.req.resume();
      // A chunked body may have gone on arriving up to the stream's buffer meanwhile.
      this.claim(this.declared ?? this.arrived);
    });
  }

  /**
   * A body is stalled when nothing arrived for BODY_STALL_MS (each arrival restarts the timer).
   * The check waits for the event loop's next turn: a timer can fire late, after a long parse held
   * the loop, before the data the sockets received meanwhile has been read, and a busy loop must
   * not make a client look silent.
   */
  private watchForStall(): void {
    if (this.declared === undefined || !this.plain) return;
    this.stallTimer = setTimeout(() => {
      const arrivedWhenDue = this.arrived;
      setImmediate(() => {
        if (this.gone.signal.aborted || this.arrived >= this.declared!) return;
        if (this.arrived === arrivedWhenDue && !this.waitingForRoom) this.giveBackUnfilled();
        this.stallTimer?.refresh();
      });
    }, BODY_STALL_MS);
    this.stallTimer.unref();
  }

  private giveBackUnfilled(): void {
    const unfilled = this.held - this.arrived;
    if (unfilled <= 0) return;
    this.held = this.arrived;
    this.budget.give(unfilled);
  }

  private release(): void {
    this.gone.abort();
    clearTimeout(this.stallTimer);
    const held = this.held;
    this.held = 0;
    if (held > 0) this.budget.give(held);
  }
}
