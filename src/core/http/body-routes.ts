import { INestApplication, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { Request } from 'express';

import { isFormBodyPipe } from './form-body.pipe';
import { isRawJsonBodyPipe } from './raw-json-body.pipe';

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
  return routesWhoseBodyPipes(app, () => true);
}

/**
 * The routes whose `@Body()` parameter has a RawJsonBodyPipe: the body parser leaves their plain
 * JSON bodies as bytes, for that pipe. Read from the same metadata, so that no path is written twice.
 */
export function routesWithRawJsonBody(app: INestApplication): HttpRoute[] {
  return routesWhoseBodyPipes(app, (pipes) => pipes.some(isRawJsonBodyPipe));
}

/**
 * The routes whose `@Body()` parameter has the FormBodyPipe: their bodies are parsed as forms, and
 * only as forms (see useFormBodyParsing).
 */
export function routesWithFormBody(app: INestApplication): HttpRoute[] {
  return routesWhoseBodyPipes(app, (pipes) => pipes.some(isFormBodyPipe));
}

/** The routes of the handlers that have a `@Body()` parameter whose pipes `match`. */
function routesWhoseBodyPipes(app: INestApplication, match: (pipes: unknown[]) => boolean): HttpRoute[] {
  return handlerRoutes(app).flatMap(({ route, controller, name }) => {
    const pipes = bodyParameterPipes(controller, name);
    return pipes !== undefined && match(pipes) ? [route] : [];
  });
}

/** A route with the handler that answers it. */
export interface HandlerRoute {
  route: HttpRoute;
  controller: Type;
  /** The handler's method name. */
  name: string;
  /** The handler itself, which carries its decorators' metadata. */
  handler: object;
}

/** Every route of every controller, with its handler, read from the controllers' own route metadata. */
export function handlerRoutes(app: INestApplication): HandlerRoute[] {
  const scanner = new MetadataScanner();
  return new DiscoveryService(app.get(ModulesContainer)).getControllers().flatMap(({ metatype }) => {
    const controller = metatype as Type | null;
    if (!controller) return [];
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    return scanner.getAllMethodNames(controller.prototype as object).flatMap((name) => {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      return prefixes.flatMap((prefix) =>
        asList(paths).map((path) => ({ route: { method, path: joinPath(prefix, path) }, controller, name, handler })),
      );
    });
  });
}

/**
 * The pipes of a handler's `@Body()` parameters, or undefined when it has none. Nest keys each
 * parameter's metadata `<type>:<index>` and keeps the pipes given to its decorator there.
 */
function bodyParameterPipes(controller: Type, handler: string): unknown[] | undefined {
  const parameters = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, { pipes?: unknown[] }>;
  const bodies = Object.entries(parameters).filter(([key]) => key.split(':')[0] === String(RouteParamtypes.BODY));
  return bodies.length === 0 ? undefined : bodies.flatMap(([, { pipes = [] }]) => pipes);
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

  /** The routes without those of `other` (the same method and path). */
  without(other: RouteSet): RouteSet {
    return new RouteSet(
      this.routes.filter(({ method, path }) => !other.routes.some((route) => route.method === method && route.path === path)),
    );
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
