/**
 * What went wrong, in the domain's terms; the HTTP filter alone turns a kind into a status code.
 * - `not-found`: what was asked for does not exist.
 * - `conflict`: the request contradicts the stored state (a state moved back).
 * - `refused`: the data cannot be stored as it is (the database refused it).
 * - `unavailable`: the service cannot do it now; the same request may work later.
 */
export type DomainErrorKind = 'not-found' | 'conflict' | 'refused' | 'unavailable';

/**
 * An error a service throws for its callers to see: a kind and the words they are told, which the
 * original's clients match on. Features make theirs in their *.errors.ts; no service speaks HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly detail: string,
    /** For an `unavailable` error a client is meant to retry (a gateway): the seconds to wait, sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}
