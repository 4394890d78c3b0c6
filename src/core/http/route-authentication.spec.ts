import { Controller, Get, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { ApiKeyInUrl, AuthenticatedBySignature, routesWithOwnAuthentication } from './route-authentication';

@Controller('hooks')
class HooksController {
  @Get('dlr')
  @ApiKeyInUrl('write')
  dlr(): void {}

  @Post('signed')
  @AuthenticatedBySignature()
  signed(): void {}

  @Get('plain')
  plain(): void {}
}

@Module({ controllers: [HooksController] })
class HooksModule {}

describe('routesWithOwnAuthentication', () => {
  it('lists the routes that declare how they are authenticated, with their way, and no other', async () => {
    const app = (await Test.createTestingModule({ imports: [HooksModule] }).compile()).createNestApplication();

    expect(routesWithOwnAuthentication(app)).toEqual([
      { route: { method: 'GET', path: '/hooks/dlr' }, authentication: { by: 'api-key-in-url', scope: 'write' } },
      { route: { method: 'POST', path: '/hooks/signed' }, authentication: { by: 'signature' } },
    ]);
    await app.close();
  });
});
