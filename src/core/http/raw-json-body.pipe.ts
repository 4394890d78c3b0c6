import { PipeTransform } from '@nestjs/common';

/**
 * A `@Body()` pipe that parses its route's JSON bodies itself. On such a route the body parser
 * reads a plain JSON body in UTF-8 under the usual limits and checks, but hands it on unparsed, as
 * a Buffer, so that the pipe can parse it where it likes (`parseJsonBody` answers as the parser
 * would). Any other body reaches it parsed as usual (or undefined). `routesWithRawJsonBody()` finds
 * the routes in the controllers' metadata: a handler needs nothing but `@Body(SomeRawJsonBodyPipe)`.
 *
 * Its parameter is declared without a DTO class, so that RequestValidationPipe leaves the value to
 * it: the pipe checks what it parses.
 */
export abstract class RawJsonBodyPipe<T> implements PipeTransform<unknown, Promise<T>> {
  abstract transform(body: unknown): Promise<T>;
}

/** Whether a pipe given to `@Body()` (a class or an instance) is a RawJsonBodyPipe. */
export function isRawJsonBodyPipe(pipe: unknown): boolean {
  const candidate: unknown = typeof pipe === 'function' ? (pipe as { prototype: unknown }).prototype : pipe;
  return candidate instanceof RawJsonBodyPipe;
}
