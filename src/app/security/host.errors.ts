import { ForbiddenException } from '@nestjs/common';

/** Without API_KEYS, a request addressed to another host than this machine (or one of ALLOWED_HOSTS). */
export function hostNotAllowed(): ForbiddenException {
  return new ForbiddenException({
    detail:
      'Host not allowed: without API_KEYS this service answers only requests addressed to localhost, 127.0.0.1 or [::1], ' +
      'so that no web page can reach it through DNS rebinding. Set API_KEYS, or add the host name clients use to ALLOWED_HOSTS.',
  });
}
