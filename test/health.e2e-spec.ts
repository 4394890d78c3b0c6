import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { DatabaseHealthIndicator } from '../src/app/health/database-health.indicator';
import { createTestApp } from '../tools/app-in-process';

describe('/health (e2e)', () => {
  let app: INestApplication;
  // The indicator's own spec covers how it decides; here it only has to say up or down.
  const database = { check: jest.fn() };

  beforeAll(async () => {
    app = await createTestApp([{ provide: DatabaseHealthIndicator, useValue: database }]);
  });
  afterAll(() => app.close());
  // The calls and answers of one test must not carry over into the next, whatever their order.
  beforeEach(() => jest.resetAllMocks());

  const http = () => request(app.getHttpServer());

  it('is alive without asking the database', async () => {
    await http().get('/health').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    expect(database.check).not.toHaveBeenCalled();
  });

  it('is ready when the database is up', async () => {
    database.check.mockResolvedValue({ database: { status: 'up' } });

    await http()
      .get('/health/ready')
      .expect(200, { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } });
  });

  it('is not ready, with a detail, when the database is down; still alive', async () => {
    database.check.mockResolvedValue({ database: { status: 'down', message: 'the database server cannot be reached' } });

    await http().get('/health/ready').expect(503, { statusCode: 503, detail: 'Not ready: the database server cannot be reached' });
    await http().get('/health').expect(200);
  });

  it('is ready on the real database behind the app', async () => {
    const real = await createTestApp();
    await request(real.getHttpServer()).get('/health/ready').expect(200);
    await real.close();
  });

  it('names the database, but repeats none of its words, when it fails in a way the service has no words for', async () => {
    const real = await createTestApp();
    try {
      // Another program drops the table the probe reads: the driver's error names the table.
      await real.get(DataSource).query('DROP TABLE "sms_transfers"');

      await request(real.getHttpServer())
        .get('/health/ready')
        .expect(503, { statusCode: 503, detail: "Not ready: the database failed the readiness check (the service's log has the error)" });
    } finally {
      await real.close();
    }
  });
});
