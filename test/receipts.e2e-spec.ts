import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { createTestApp } from '../tools/app-in-process';
import { createDatabase, describeEachDatabase, SHARED_DATABASES } from './helpers/test-database';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const SUBMISSIONS = `/tracking/sms_documents/${UBID}/submissions`;
const DOCUMENT = (uniqueId: string) => `/tracking/sms_documents/${UBID}/documents/${uniqueId}`;

/** Message ids, outcomes and pending receipts through the routes, on real databases (the rules' own spec is beside ReceiptsService). */
describeEachDatabase(SHARED_DATABASES, 'receipts by message id on %s (e2e)', (kind) => {
  let app: INestApplication;
  let url: string;
  let removeDatabase: () => Promise<void>;
  const http = () => request(app.getHttpServer());

  const start = async (env: Record<string, string> = {}) => {
    app = await createTestApp([], url, env);
    await http().post('/tracking/sms_transfers/').send({ UBID, fileName: 'f', origName: 'o', documents: 3, SMScount: 3 }).expect(201);
    await http()
      .post('/tracking/sms_documents/')
      .send({ UBID, documents: ['0000000001', '0000000002', '0000000003'].map((uniqueId) => ({ uniqueId, SMScount: 1, data: {} })) })
      .expect(201);
  };

  beforeEach(async () => {
    ({ url, remove: removeDatabase } = await createDatabase(kind));
  });
  afterEach(async () => {
    await app.close();
    await removeDatabase();
  });

  it('submits ids, records receipts by them and shows the outcome on the document', async () => {
    await start();

    await http()
      .post(SUBMISSIONS)
      .send({
        gateway: 'jasmin',
        messages: [
          { uniqueId: '0000000001', messageId: 'A-1' },
          { uniqueId: '0000000009', messageId: 'A-9' },
        ],
      })
      .expect(200, { UBID, gateway: 'jasmin', changed: 1, unchanged: 0, unknown: ['0000000009'], receiptsApplied: 0 });
    await http()
      .post('/tracking/receipts')
      .send([
        { gateway: 'jasmin', messageId: 'a-1', status: 'delivered', errorCode: '000', doneAt: '2024-04-17T09:14:00Z' },
        { gateway: 'jasmin', messageId: 'A-1', status: 'enroute' },
        { gateway: 'kannel', messageId: 'A-1', status: 'failed' },
      ])
      .expect(200, [
        { messageId: 'a-1', gateway: 'jasmin', result: 'applied' },
        { messageId: 'A-1', gateway: 'jasmin', result: 'unchanged' },
        { messageId: 'A-1', gateway: 'kannel', result: 'pending' },
      ]);

    const { body } = await http().get(DOCUMENT('0000000001')).expect(200);
    expect(body).toMatchObject({
      state: 'DONE',
      gateway: 'jasmin',
      messageId: 'A-1',
      outcome: 'delivered',
      errorCode: '000',
      doneAt: '2024-04-17T09:14:00.000Z',
    });
    const { body: page } = await http().get(`/tracking/sms_documents/${UBID}/documents`).query({ limit: 1 }).expect(200);
    expect(page.items[0]).toMatchObject({ gateway: 'jasmin', messageId: 'A-1', outcome: 'delivered' });
    const { body: summary } = await http().get(`/tracking/sms_documents/${UBID}/summary`).expect(200);
    expect(summary).toMatchObject({
      DONE: 1,
      outcomes: { delivered: 1, failed: 0, expired: 0, rejected: 0, unknown: 0 },
      errorCodes: { '000': 1 },
    });
  });

  it('answers 409 naming the gateway and the id another document holds, and changes nothing', async () => {
    await start();
    await http()
      .post(SUBMISSIONS)
      .send({ gateway: 'jasmin', messages: [{ uniqueId: '0000000002', messageId: 'B-2' }] })
      .expect(200);

    await http()
      .post(SUBMISSIONS)
      .send({ gateway: 'jasmin', messages: [{ uniqueId: '0000000003', messageId: 'b-2' }] })
      .expect(409, {
        statusCode: 409,
        detail: `Message id 'B-2' of gateway 'jasmin' is held by document '0000000002' of UBID '${UBID}' in table tracking.sms_documents`,
      });
    expect((await http().get(DOCUMENT('0000000003')).expect(200)).body).toMatchObject({ state: 'INIT', messageId: null });
  });

  it('refuses bad receipts with the field and the rule', async () => {
    await start();
    const refused = (body: object, detail: unknown) =>
      http().post('/tracking/receipts').send(body).expect(422, { statusCode: 422, detail });

    await refused({ gateway: 'jasmin' }, [{ loc: ['body'], msg: 'body must be an array', type: 'isArray' }]);
    await refused([], [{ loc: ['body'], msg: 'body must contain at least 1 elements', type: 'arrayMinSize' }]);
    await refused(
      [
        { gateway: 'jasmin', messageId: 'x', status: 'delivered' },
        { gateway: 'jasmin', messageId: 'x', status: 'done' },
      ],
      [
        {
          loc: ['body', 1, 'status'],
          msg: 'status must be one of the following values: delivered, failed, expired, rejected, unknown, accepted, enroute, buffered, queued, sent',
          type: 'isIn',
        },
      ],
    );
    await refused(
      [{ gateway: 'Jasmin', messageId: 'x', status: 'sent' }],
      [{ loc: ['body', 0, 'gateway'], msg: 'gateway must be 1 to 16 lower-case letters, digits, "-" or "_"', type: 'matches' }],
    );
    await refused(
      [{ gateway: 'jasmin', messageId: 'has space', status: 'sent' }],
      [{ loc: ['body', 0, 'messageId'], msg: 'messageId must be 1 to 64 printable ASCII characters, without spaces', type: 'matches' }],
    );
    await refused(
      [{ gateway: 'jasmin', messageId: 'x', status: 'sent', doneAt: 'yesterday' }],
      [{ loc: ['body', 0, 'doneAt'], msg: 'doneAt must be a valid ISO 8601 date string', type: 'isIso8601' }],
    );
    await refused(
      Array.from({ length: 5001 }, () => ({ gateway: 'jasmin', messageId: 'x', status: 'sent' })),
      [{ loc: ['body'], msg: 'body must contain no more than 5000 elements', type: 'arrayMaxSize' }],
    );
  });

  it('answers 503 with Retry-After once PENDING_RECEIPTS_MAX receipts wait, and keeps them', async () => {
    await start({ PENDING_RECEIPTS_MAX: '1' });
    await http()
      .post('/tracking/receipts')
      .send([{ gateway: 'jasmin', messageId: 'early', status: 'delivered' }])
      .expect(200);

    const busy = await http()
      .post('/tracking/receipts')
      .send([{ gateway: 'jasmin', messageId: 'later', status: 'delivered' }])
      .expect(503);

    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.body).toEqual({
      statusCode: 503,
      detail: 'The service is busy: 1 receipt(s) wait for their message id, as many as PENDING_RECEIPTS_MAX allows. Retry later.',
    });
  });

  it('keeps a pending receipt across a restart and applies it when a submission names its id', async () => {
    await start();
    await http()
      .post('/tracking/receipts')
      .send([{ gateway: 'jasmin', messageId: 'C-3', status: 'rejected', errorCode: '0x45' }])
      .expect(200);
    await app.close();

    app = await createTestApp([], url);
    await http()
      .post(SUBMISSIONS)
      .send({ gateway: 'jasmin', messages: [{ uniqueId: '0000000003', messageId: 'c-3' }] })
      .expect(200, { UBID, gateway: 'jasmin', changed: 1, unchanged: 0, unknown: [], receiptsApplied: 1 });
    expect((await http().get(DOCUMENT('0000000003')).expect(200)).body).toMatchObject({
      state: 'DONE',
      outcome: 'rejected',
      errorCode: '0x45',
    });
  });
});
