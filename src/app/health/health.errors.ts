import { ServiceUnavailableException } from '@nestjs/common';

/** The readiness probe's 503: why the database is not ready, in the API's words. */
export function notReady(reason: string): ServiceUnavailableException {
  return new ServiceUnavailableException({ detail: `Not ready: ${reason}` });
}
