import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { Request } from 'express';

/** A route as a controller declares it: `POST /tracking/sms_documents/:ubid/receipts`. */
export interface HttpRoute {
  /** GET, POST, …; ALL for every method. */
  method: string;
  /** Literal segments and `:name` parameters. */
  path: string;
}

/**
 * The routes whose handlers take a request body: those with a `@Body()` parameter, read from the
 * controllers' own route metadata, so that a new handler with a body is found without a list to
 * keep up to date.
 */
export function routesWithBodyParameter(app: INestApplication): HttpRoute[] {
  const scanner = new MetadataScanner();
  return new DiscoveryService(app.get(ModulesContainer)).getControllers().flatMap(({ metatype }) => {
    const controller = metatype as Type | null;
    if (!controller) return [];
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    return scanner.getAllMethodNames(controller.prototype as object).flatMap((name) => {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined || !takesBodyParameter(controller, name)) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      return prefixes.flatMap((prefix) => asList(paths).map((path) => ({ method, path: joinPath(prefix, path) })));
    });
  });
}

/** Whether a handler has a `@Body()` parameter; Nest keys each parameter's metadata `<type>:<index>`. */
function takesBodyParameter(controller: Type, handler: string): boolean {
  const parameters = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, unknown>;
  return Object.keys(parameters).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

function asList(paths: string | string[] | undefined): string[] {
  if (paths === undefined) return ['/'];
  return Array.isArray(paths) ? paths : [paths];
}

function joinPath(prefix: string, path: string): string {
  return `/${[prefix, path].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/**
 * Tells whether a request goes to one of `routes`, matching as Express routes it: methods exactly,
 * paths without regard to case or a trailing slash, a `:name` parameter standing for one non-empty
 * segment.
 */
export class RouteSet {
  private readonly matchers: { method: string; path: RegExp }[];

  constructor(readonly routes: readonly HttpRoute[]) {
    this.matchers = routes.map(({ method, path }) => ({ method: method.toUpperCase(), path: pathPattern(path) }));
  }

  has(req: Pick<Request, 'method' | 'path'>): boolean {
    return this.matchers.some(({ method, path }) => (method === 'ALL' || method === req.method) && path.test(req.path));
  }
}

/**
 * The pattern of a route path. Only literal segments and `:name` parameters are known here: a path
 * with anything else (wildcards, optional parts) stops start-up rather than being matched wrongly.
 */
function pathPattern(path: string): RegExp {
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      if (/^:\w+$/.test(segment)) return '[^/]+';
      if (!/^[\w.~-]+$/.test(segment)) throw new Error(`Route path '${path}': the segment '${segment}' is neither literal nor :name`);
      return segment.replace(/\./g, '\\.');
    });
  return new RegExp(`^/${segments.join('/')}/?$`, 'i');
}
