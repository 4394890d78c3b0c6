import { All, Body, Controller, Get, Module, Param, ParseIntPipe, Post, Put, Req } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { RouteSet, routesWithBodyParameter, routesWithFormBody, routesWithRawJsonBody } from './body-routes';
import { FormBodyPipe } from './form-body.pipe';
import { RawJsonBodyPipe } from './raw-json-body.pipe';

class BytesPipe extends RawJsonBodyPipe<number> {
  transform(body: unknown): Promise<number> {
    return Promise.resolve(Buffer.isBuffer(body) ? body.length : 0);
  }
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() _thing: unknown): void {}

  @Get(':id')
  get(@Param('id') _id: string): void {}

  @Put(':id/name')
  rename(@Param('id') _id: string, @Body('name') _name: string): void {}

  @Put(':id/:state')
  move(@Param('id') _id: string): void {}

  @Post(':id/raw')
  raw(@Req() _req: unknown): void {}

  @Post(':id/bytes')
  bytes(@Body(BytesPipe) _length: number): void {}

  @Put(':id/count')
  count(@Body('count', ParseIntPipe) _count: number, @Body('bytes', new BytesPipe()) _length: number): void {}

  @Post(':id/form')
  form(@Body(FormBodyPipe) _form: unknown): void {}
}

@Controller(['a', 'b'])
class TwoPrefixesController {
  @All(['x', 'y/:z'])
  any(@Body() _body: unknown): void {}
}

@Module({ controllers: [ThingsController, TwoPrefixesController] })
class ThingsModule {}

describe('routesWithBodyParameter', () => {
  it("lists every handler with a @Body() parameter, under each of its controller's and its own paths", async () => {
    const app = (await Test.createTestingModule({ imports: [ThingsModule] }).compile()).createNestApplication();

    expect(routesWithBodyParameter(app)).toEqual([
      { method: 'POST', path: '/things' },
      { method: 'PUT', path: '/things/:id/name' },
      { method: 'POST', path: '/things/:id/bytes' },
      { method: 'PUT', path: '/things/:id/count' },
      { method: 'POST', path: '/things/:id/form' },
      { method: 'ALL', path: '/a/x' },
      { method: 'ALL', path: '/a/y/:z' },
      { method: 'ALL', path: '/b/x' },
      { method: 'ALL', path: '/b/y/:z' },
    ]);
    await app.close();
  });
});

describe('routesWithRawJsonBody', () => {
  it('lists the handlers whose @Body() parameter has a RawJsonBodyPipe, given as a class or an instance', async () => {
    const app = (await Test.createTestingModule({ imports: [ThingsModule] }).compile()).createNestApplication();

    expect(routesWithRawJsonBody(app)).toEqual([
      { method: 'POST', path: '/things/:id/bytes' },
      { method: 'PUT', path: '/things/:id/count' },
    ]);
    await app.close();
  });
});

describe('routesWithFormBody', () => {
  it('lists the handlers whose @Body() parameter has the FormBodyPipe', async () => {
    const app = (await Test.createTestingModule({ imports: [ThingsModule] }).compile()).createNestApplication();

    expect(routesWithFormBody(app)).toEqual([{ method: 'POST', path: '/things/:id/form' }]);
    await app.close();
  });
});

describe('RouteSet', () => {
  it('leaves out the routes of another set, by method and path', () => {
    const routes = new RouteSet([
      { method: 'POST', path: '/things' },
      { method: 'POST', path: '/things/:id/form' },
      { method: 'GET', path: '/things/:id/form' },
    ]);

    expect(routes.without(new RouteSet([{ method: 'POST', path: '/things/:id/form' }])).routes).toEqual([
      { method: 'POST', path: '/things' },
      { method: 'GET', path: '/things/:id/form' },
    ]);
  });

  const routes = new RouteSet([
    { method: 'POST', path: '/things' },
    { method: 'PUT', path: '/things/:id/name' },
    { method: 'ALL', path: '/any.json' },
  ]);

  it.each([
    ['POST', '/things'],
    ['POST', '/things/'],
    ['POST', '/THINGS'],
    ['PUT', '/things/42/name'],
    ['PUT', '/things/a%2Fb/name'],
    ['DELETE', '/any.json'],
  ])('has %s %s, as Express routes it', (method, path) => {
    expect(routes.has({ method, path })).toBe(true);
  });

  it.each([
    ['GET', '/things'],
    ['POST', '/things/42'],
    ['POST', '/thingsx'],
    ['PUT', '/things//name'],
    ['PUT', '/things/4/2/name'],
    ['PUT', '/things/42/name/x'],
    ['GET', '/anyxjson'],
  ])('has not %s %s', (method, path) => {
    expect(routes.has({ method, path })).toBe(false);
  });

  it.each(['/files/*path', '/files/{:name}', '/files/(.*)'])('refuses a path it cannot match as Express would: %s', (path) => {
    expect(() => new RouteSet([{ method: 'GET', path }])).toThrow(`Route path '${path}': the segment`);
  });
});
