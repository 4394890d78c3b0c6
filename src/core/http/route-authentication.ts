import { INestApplication, SetMetadata } from '@nestjs/common';

import { ApiKeyScope } from '../config/api-key-scope';
import { handlerRoutes, HttpRoute } from './body-routes';

/**
 * How a route's caller proves who it is, when not as every other route's (an API key in a header,
 * its scope by the method):
 * - `signature`: the route checks a signature of the request itself (a guard, once the body is
 *   read), so it needs no API key;
 * - `api-key-in-url`: a caller that can only be given a URL (an SMS gateway's callback) may also
 *   send its key as HTTP basic auth or a `key` query parameter, and the key needs `scope`
 *   whatever the method (a gateway reports by GET, and a report is a write).
 */
export type RouteAuthentication = { by: 'signature' } | { by: 'api-key-in-url'; scope: ApiKeyScope };

const ROUTE_AUTHENTICATION = 'tracking-db:route-authentication';

/** The route is authenticated by a signature its own guard checks, not by an API key. */
export const AuthenticatedBySignature = () => SetMetadata(ROUTE_AUTHENTICATION, { by: 'signature' } satisfies RouteAuthentication);

/** The route takes its API key in the URL too, and needs `scope` for every method. */
export const ApiKeyInUrl = (scope: ApiKeyScope) =>
  SetMetadata(ROUTE_AUTHENTICATION, { by: 'api-key-in-url', scope } satisfies RouteAuthentication);

/** The routes that declare how they are authenticated, read from the controllers' metadata. */
export function routesWithOwnAuthentication(app: INestApplication): { route: HttpRoute; authentication: RouteAuthentication }[] {
  return handlerRoutes(app).flatMap(({ route, handler }) => {
    const authentication = Reflect.getMetadata(ROUTE_AUTHENTICATION, handler) as RouteAuthentication | undefined;
    return authentication === undefined ? [] : [{ route, authentication }];
  });
}
