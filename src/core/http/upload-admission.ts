import { IncomingMessage, Server } from 'node:http';
import { PassThrough, Transform } from 'node:stream';

import { HttpException, HttpStatus, INestApplication, Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { BodyBudget } from './body-budget';
import { bodyTooLarge, MAX_BODY_BYTES } from './body-parsing';
import { RouteSet } from './body-routes';

/**
 * A body that has not sent a byte for this long gives back the room it has not filled yet. Long
 * enough for a client that feeds many uploads at once (each then gets its bytes in bursts);
 * short enough that clients sending nothing cycle through the budget quickly.
 */
export const BODY_STALL_MS = 1000;
/**
 * The minimum rate of a body is checked over windows this long: long enough for a slow link's
 * bursts and a few lost packets, short enough that a body trickling in gives its room back soon.
 */
export const BODY_RATE_WINDOW_MS = 10_000;
/** An upload with this much of its body buffered (or all of it) is arriving, and goes first in line. */
const ARRIVING_BYTES = 4096;
/** What a refused upload is told to wait before it tries again. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * The most room one client may hold: half the budget, so that one client never locks the others
 * out, yet at least one body of the largest size, so that a maximal upload always fits.
 */
export function shareOfOneClient(limitBytes: number): number {
  return Math.max(MAX_BODY_BYTES, Math.floor(limitBytes / 2));
}

export interface UploadAdmissionOptions {
  budget: BodyBudget;
  /** How long an upload may wait for room before it is answered 503. */
  waitMs: number;
  /** The least a body must send in every BODY_RATE_WINDOW_MS, per second, while it is read; 0: no minimum. */
  minBodyBytesPerSecond: number;
  /** Who sent the request: each client holds at most the budget's share. */
  clientOf: (req: Request) => string;
  /** The routes that take a body; requests to the others pass through without room. */
  bodyRoutes: RouteSet;
}

/** What the admission offers the body parser. */
export interface UploadAdmission {
  /**
   * The stage a compressed body passes through once inflated, on its way to the parser: it takes
   * room for the body as it inflates, and holds the inflation back while there is none.
   */
  meterInflated: (req: IncomingMessage) => Transform;
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
 * - A compressed body takes room as it inflates (`meterInflated`), whatever its size on the wire.
 * - A body that stops arriving for BODY_STALL_MS gives back the room it has not filled, so that
 *   clients that declare a large body and send nothing cannot lock the others out; it takes the
 *   room again when it goes on, paused until it has it, first in line.
 * - A body that sends less than `minBodyBytesPerSecond` over a BODY_RATE_WINDOW_MS (time it spent
 *   paused for room aside) is answered 408, and its room goes to others.
 * - One client (`clientOf`) holds at most the budget's share (`BodyBudget.shareBytes`).
 * - A client that sends `Expect: 100-continue` gets its "100 Continue" only once its body has room:
 *   a refused one never sends the body at all.
 */
export function useUploadAdmission(app: INestApplication, options: UploadAdmissionOptions): UploadAdmission {
  const { budget, clientOf, bodyRoutes } = options;
  const logger = new Logger('UploadAdmission');
  const server = app.getHttpServer() as Server;
  const uploads = new WeakMap<IncomingMessage, TrackedUpload>();
  // Without this listener Node answers "100 Continue" itself, before any middleware has run.
  server.on('checkContinue', (req, res) => server.emit('request', req, res));

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!bodyRoutes.has(req)) return next();
    const declared = declaredBodyLength(req);
    const compressed = (req.headers['content-encoding'] ?? 'identity') !== 'identity';
    if (declared === 0) {
      continueIfExpected(req, res);
      return next();
    }
    // Refused from its Content-Length alone, at once: the parser would read it all before its 413.
    if (!compressed && (declared ?? 0) > MAX_BODY_BYTES) return next(bodyTooLarge());
    const room = compressed ? 'inflated' : declared === undefined ? 'arrived' : 'declared';
    const upload = new TrackedUpload(req, res, { ...options, client: clientOf(req), room, declared, logger });
    uploads.set(req, upload);
    void upload.admit().then((admitted) => {
      if (!admitted) return answerBusy(res, budget, logger);
      continueIfExpected(req, res);
      next();
    });
  });
  // A compressed body the admission let through untracked declares no bytes: nothing to count.
  return { meterInflated: (req) => uploads.get(req)?.meterInflated() ?? new PassThrough() };
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
  logger.warn(
    `Upload refused with 503: no room for its body in ${Math.round(budget.limitBytes / 1024 / 1024)} MiB (${budget.waiting} waiting)`,
  );
  res.setHeader('Retry-After', BUSY_RETRY_AFTER_SECONDS);
  res.setHeader('Connection', 'close');
  answer(res, HttpStatus.SERVICE_UNAVAILABLE, busyDetail(budget.limitBytes));
}

/** The 503's words for an upload the body budget has no room for. */
export function busyDetail(limitBytes: number): string {
  return `The service is busy: the request bodies in memory take up the ${Math.round(limitBytes / 1024 / 1024)} MiB allowed (MAX_INFLIGHT_BODY_MB). Retry later.`;
}

/** The 408 of a body that arrives more slowly than MIN_BODY_RATE_KIB_S. */
export function bodyTooSlow(minBodyBytesPerSecond: number): HttpException {
  return new HttpException(
    {
      detail: `The request body arrived slower than ${minBodyBytesPerSecond / 1024} KiB/s over ${BODY_RATE_WINDOW_MS / 1000} s (MIN_BODY_RATE_KIB_S)`,
    },
    HttpStatus.REQUEST_TIMEOUT,
  );
}

/** An error answer given here, before the exception filter's reach, in the shape of every error of the API. */
function answer(res: Response, statusCode: number, detail: string): void {
  res.status(statusCode).json({ statusCode, detail });
}

interface TrackedUploadOptions {
  budget: BodyBudget;
  waitMs: number;
  minBodyBytesPerSecond: number;
  client: string;
  /**
   * How the body takes room: all it declares before it is read; what has arrived (a chunked
   * body); what it has inflated to (a compressed body, counted by its meter).
   */
  room: 'declared' | 'arrived' | 'inflated';
  /** The body's size on the wire; undefined when chunked. */
  declared: number | undefined;
  logger: Logger;
}

/** One request body's room in the budget, from admission until its answer has been sent. */
class TrackedUpload {
  private held = 0;
  /** Bytes of the body received, on the wire. */
  private arrived: number;
  private inflated = 0;
  private admitted = false;
  private waitingForRoom = false;
  /** Whether the body was paused for room at some time in the current rate window. */
  private pausedThisWindow = false;
  private stallTimer?: NodeJS.Timeout;
  private rateTimer?: NodeJS.Timeout;
  private meter?: Transform;
  private readonly gone = new AbortController();

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: Response,
    private readonly options: TrackedUploadOptions,
  ) {
    // Body bytes the parser has handed over already (they came with the headers).
    this.arrived = req.readableLength;
    // The parser hands each piece of the body to push(), and null at its end; counting there sees
    // every byte as it arrives without reading the stream, so the body parser still gets all of it.
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk) this.onArrival((chunk as Buffer).length);
      else this.stopWatching();
      return push(chunk, encoding);
    };
    res.once('close', () => this.release());
  }

  /** Whether the body is arriving, for the place in line. */
  private readonly arriving = () => this.arrived >= Math.min(ARRIVING_BYTES, this.options.declared ?? ARRIVING_BYTES);

  async admit(): Promise<boolean> {
    const { budget, client, waitMs, room, declared } = this.options;
    const needed = room === 'declared' ? declared! : 0;
    if (!(await budget.take(needed, client, { waitMs, arriving: this.arriving, signal: this.gone.signal }))) return false;
    this.held = needed;
    this.admitted = true;
    if (this.req.complete) return true;
    if (room === 'declared') this.watchForStall();
    this.watchRate();
    return true;
  }

  /** The stage of an inflated body: each piece goes on once it has room. */
  meterInflated(): Transform {
    this.meter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.inflated += chunk.length;
        if (this.claimNow(this.inflated)) return done(null, chunk);
        void this.claim(this.inflated).then((granted) => granted && done(null, chunk));
      },
    });
    return this.meter;
  }

  private onArrival(bytes: number): void {
    // Answered: the rest of the body is dropped as it comes, and takes no room.
    if (this.gone.signal.aborted) return;
    const wasArriving = this.arriving();
    this.arrived += bytes;
    if (!this.admitted) {
      // Waiting in line: an upload whose body now arrives may go ahead of those that send nothing.
      if (!wasArriving && this.arriving()) this.options.budget.serve();
      return;
    }
    this.stallTimer?.refresh();
    if (this.options.room !== 'inflated') this.claimWhileArriving();
  }

  /**
   * Holds room for the body as it arrives: all it declared (again, after a stall), or all that
   * has arrived of a chunked one; pauses it until it has the room.
   */
  private claimWhileArriving(): void {
    const needed = this.options.room === 'declared' ? this.options.declared! : this.arrived;
    if (this.waitingForRoom || this.claimNow(needed)) return;
    this.req.pause();
    void this.claim(needed).then((granted) => {
      if (!granted) return;
      this.req.resume();
      // A chunked body may have gone on arriving up to the stream's buffer meanwhile.
      this.claimWhileArriving();
    });
  }

  /**
   * Holds room for `needed` bytes if it can at once. Never more than the largest body: the piece
   * that goes over it is the parser's, which refuses the body (413) as soon as it has it.
   */
  private claimNow(needed: number): boolean {
    const more = Math.min(needed, MAX_BODY_BYTES) - this.held;
    if (more <= 0) return true;
    if (this.waitingForRoom || !this.options.budget.tryTake(more, this.options.client)) return false;
    this.held += more;
    return true;
  }

  /**
   * Waits for room for `needed` bytes. Part of this body is in memory already: it goes first in
   * line. Answered 503 when the room does not come in time.
   */
  private async claim(needed: number): Promise<boolean> {
    const { budget, client, waitMs, logger } = this.options;
    const more = Math.min(needed, MAX_BODY_BYTES) - this.held;
    this.waitingForRoom = true;
    this.pausedThisWindow = true;
    const granted = await budget.take(more, client, { waitMs, resuming: true, signal: this.gone.signal });
    this.waitingForRoom = false;
    if (granted) this.held += more;
    else if (!this.gone.signal.aborted) answerBusy(this.res, budget, logger);
    return granted;
  }

  /**
   * A body is stalled when nothing arrived for BODY_STALL_MS (each arrival restarts the timer).
   * The check waits for the event loop's next turn: a timer can fire late, after a long parse held
   * the loop, before the data the sockets received meanwhile has been read, and a busy loop must
   * not make a client look silent.
   */
  private watchForStall(): void {
    this.stallTimer = setTimeout(() => {
      const arrivedWhenDue = this.arrived;
      setImmediate(() => {
        if (this.gone.signal.aborted || this.req.complete) return;
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
    this.options.budget.give(unfilled, this.options.client);
  }

  /**
   * Answers 408 when less than the minimum rate arrived over a window, unless the body was paused
   * for room in it (then the service, not the client, held it back). The check waits for the
   * event loop's next turn, as the stall's does.
   */
  private watchRate(): void {
    const { minBodyBytesPerSecond } = this.options;
    if (minBodyBytesPerSecond === 0) return;
    let arrivedAtStart = this.arrived;
    this.rateTimer = setInterval(() => {
      setImmediate(() => {
        if (this.gone.signal.aborted || this.req.complete) return;
        const excused = this.pausedThisWindow || this.waitingForRoom;
        if (!excused && this.arrived - arrivedAtStart < (minBodyBytesPerSecond * BODY_RATE_WINDOW_MS) / 1000) {
          return this.refuseTooSlow();
        }
        this.pausedThisWindow = false;
        arrivedAtStart = this.arrived;
      });
    }, BODY_RATE_WINDOW_MS);
    this.rateTimer.unref();
  }

  private refuseTooSlow(): void {
    this.stopWatching();
    if (this.res.headersSent) return;
    const error = bodyTooSlow(this.options.minBodyBytesPerSecond);
    this.options.logger.warn(`Upload refused with 408: ${this.arrived} of its body's bytes arrived, too slowly`);
    answer(this.res, error.getStatus(), (error.getResponse() as { detail: string }).detail);
  }

  private stopWatching(): void {
    clearTimeout(this.stallTimer);
    clearInterval(this.rateTimer);
  }

  private release(): void {
    this.gone.abort();
    this.stopWatching();
    this.meter?.destroy();
    const held = this.held;
    this.held = 0;
    if (held > 0) this.options.budget.give(held, this.options.client);
  }
}
