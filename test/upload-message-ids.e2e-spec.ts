import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { createTestApp } from '../tools/app-in-process';
import { createDatabase, describeEachDatabase, SHARED_DATABASES } from './helpers/test-database';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const OTHER_UBID = '11111111-1111-4111-8111-111111111111';
const DOCUMENTS = '/tracking/sms_documents/';
const DOCUMENT = (uniqueId: string, ubid = UBID) => `/tracking/sms_documents/${ubid}/documents/${uniqueId}`;
const document = (uniqueId: string, ids: object = {}) => ({ uniqueId, SMScount: 1, data: { uniqueId }, ...ids });
const jasmin = (messageId: string) => ({ gateway: 'jasmin', messageId });

/** Message ids given by the upload itself, through the routes, on real databases (the rules' own specs are beside the services). */
describeEachDatabase(SHARED_DATABASES, 'message ids at upload on %s (e2e)', (kind) => {
  let app: INestApplication;
  let removeDatabase: () => Promise<void>;
  const http = () => request(app.getHttpServer());
  const upload = (documents: object[], ubid = UBID) => http().post(DOCUMENTS).send({ UBID: ubid, documents });
  const ids = async (uniqueId: string, ubid = UBID) => {
    const { body } = await http().get(DOCUMENT(uniqueId, ubid)).expect(200);
    const { state, gateway, messageId, outcome, SMScount } = body as Record<string, unknown>;
    return { state, gateway, messageId, outcome, SMScount };
  };

  beforeEach(async () => {
    let url: string;
    ({ url, remove: removeDatabase } = await createDatabase(kind));
    app = await createTestApp([], url);
    for (const ubid of [UBID, OTHER_UBID]) {
      await http()
        .post('/tracking/sms_transfers/')
        .send({ UBID: ubid, fileName: 'f', origName: 'o', documents: 3, SMScount: 3 })
        .expect(201);
    }
  });
  afterEach(async () => {
    await app.close();
    await removeDatabase();
  });

  it('stores the ids an upload names, answers as the original, and a receipt finds the document by them', async () => {
    await upload([document('0000000001', jasmin('A-1')), document('0000000002')]).expect(201, {
      result: `Inserted 2 document(s) for UBID '${UBID}' in table tracking.sms_documents`,
      count: 2,
    });

    expect(await ids('0000000001')).toEqual({ state: 'INIT', gateway: 'jasmin', messageId: 'A-1', outcome: null, SMScount: 1 });
    expect(await ids('0000000002')).toEqual({ state: 'INIT', gateway: null, messageId: null, outcome: null, SMScount: 1 });
    await http()
      .post('/tracking/receipts')
      .send([{ gateway: 'jasmin', messageId: 'a-1', status: 'delivered' }])
      .expect(200, [{ messageId: 'a-1', gateway: 'jasmin', result: 'applied' }]);
    expect(await ids('0000000001')).toMatchObject({ state: 'DONE', outcome: 'delivered' });
  });

  it('applies a receipt that arrived before its id the moment an upload names the id, in its transaction', async () => {
    await http()
      .post('/tracking/receipts')
      .send([
        { gateway: 'jasmin', messageId: 'a-1', status: 'accepted' },
        { gateway: 'jasmin', messageId: 'A-1', status: 'failed', errorCode: '011', doneAt: '2024-04-17T09:14:00Z' },
      ])
      .expect(200, [
        { messageId: 'a-1', gateway: 'jasmin', result: 'pending' },
        { messageId: 'A-1', gateway: 'jasmin', result: 'pending' },
      ]);

    await upload([document('0000000001', jasmin('A-1')), document('0000000002')]).expect(201);

    const { body } = await http().get(DOCUMENT('0000000001')).expect(200);
    expect(body).toMatchObject({
      state: 'DONE',
      gateway: 'jasmin',
      messageId: 'A-1',
      outcome: 'failed',
      errorCode: '011',
      doneAt: '2024-04-17T09:14:00.000Z',
    });
    // Applied, so no longer pending: the same report again changes nothing and keeps nothing.
    await http()
      .post('/tracking/receipts')
      .send([{ gateway: 'jasmin', messageId: 'A-1', status: 'failed' }])
      .expect(200, [{ messageId: 'A-1', gateway: 'jasmin', result: 'unchanged' }]);
  });

  it('resets a re-uploaded document to INIT with the ids its new upload names, none when it names none', async () => {
    await upload([document('0000000001', jasmin('A-1')), document('0000000002', jasmin('A-2'))]).expect(201);
    await http()
      .post('/tracking/receipts')
      .send([{ gateway: 'jasmin', messageId: 'A-1', status: 'delivered' }])
      .expect(200);

    await upload([document('0000000001', { gateway: 'kannel', messageId: 'K-1' }), document('0000000002')]).expect(201);

    expect(await ids('0000000001')).toEqual({ state: 'INIT', gateway: 'kannel', messageId: 'K-1', outcome: null, SMScount: 1 });
    expect(await ids('0000000002')).toEqual({ state: 'INIT', gateway: null, messageId: null, outcome: null, SMScount: 1 });
  });

  it('answers 409 naming the gateway, the id and the document of another batch that holds it, and stores nothing', async () => {
    await upload([document('0000000001', jasmin('A-1'))], OTHER_UBID).expect(201);

    await upload([document('0000000001'), document('0000000002', jasmin('a-1'))]).expect(409, {
      statusCode: 409,
      detail: `Message id 'A-1' of gateway 'jasmin' is held by document '0000000001' of UBID '${OTHER_UBID}' in table tracking.sms_documents`,
    });

    await http().get(DOCUMENT('0000000001')).expect(404);
    expect(await ids('0000000001', OTHER_UBID)).toMatchObject({ gateway: 'jasmin', messageId: 'A-1' });
  });

  it('answers 409 for an id another document of the same batch holds, as a submission does', async () => {
    await upload([document('0000000001', jasmin('A-1'))]).expect(201);

    await upload([document('0000000002', jasmin('A-1'))]).expect(409, {
      statusCode: 409,
      detail: `Message id 'A-1' of gateway 'jasmin' is held by document '0000000001' of UBID '${UBID}' in table tracking.sms_documents`,
    });
    await http().get(DOCUMENT('0000000002')).expect(404);
  });

  it.each([
    [
      'a gateway without a message id',
      [document('0000000001'), document('0000000002', { gateway: 'jasmin' })],
      [{ loc: ['body', 'documents', 1, 'messageId'], msg: 'messageId must be given with gateway', type: 'givenTogether' }],
    ],
    [
      'a message id without a gateway',
      [document('0000000001', { messageId: 'A-1' })],
      [{ loc: ['body', 'documents', 0, 'gateway'], msg: 'gateway must be given with messageId', type: 'givenTogether' }],
    ],
    [
      'a message id of 65 characters',
      [document('0000000001', jasmin('m'.repeat(65)))],
      [
        {
          loc: ['body', 'documents', 0, 'messageId'],
          msg: 'messageId must be 1 to 64 printable ASCII characters, without spaces',
          type: 'matches',
        },
      ],
    ],
    [
      'a gateway name in capitals',
      [document('0000000001', { gateway: 'Jasmin', messageId: 'A-1' })],
      [
        {
          loc: ['body', 'documents', 0, 'gateway'],
          msg: 'gateway must be 1 to 16 lower-case letters, digits, "-" or "_"',
          type: 'matches',
        },
      ],
    ],
    [
      'one message id named for two documents, in another case',
      [document('0000000001', jasmin('A-1')), document('0000000002', jasmin('a-1'))],
      "Message id 'a-1' of gateway 'jasmin' is named for two documents, '0000000001' and '0000000002'",
    ],
  ])('answers 422 for %s, and stores nothing', async (_what, documents, detail) => {
    await upload(documents).expect(422, { statusCode: 422, detail });

    await http().get(DOCUMENT('0000000001')).expect(404);
  });
});
