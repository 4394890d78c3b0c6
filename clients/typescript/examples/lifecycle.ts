import { createTrackingClient } from '../src';
const api = createTrackingClient(process.env.API ?? 'http://localhost:7000'),
  UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10',
  path = { ubid: UBID };
async function main(): Promise<void> {
  console.log(
    (await api.POST('/tracking/sms_transfers', { body: { UBID, fileName: 'b.json', origName: 'b.csv', documents: 2, SMScount: 3 } })).data,
  );
  console.log(
    (
      await api.POST('/tracking/sms_documents', {
        body: {
          UBID,
          documents: [
            { uniqueId: '1', SMScount: 1, data: { text: 'Hi' } },
            { uniqueId: '2', SMScount: 2, data: {} },
          ],
        },
      })
    ).data,
  );
  console.log((await api.PUT('/tracking/sms_documents/{ubid}/{state}', { params: { path: { ...path, state: 'SENT' } } })).data);
  console.log((await api.PUT('/tracking/sms_transfers/{ubid}/{state}', { params: { path: { ...path, state: 'SENT' } } })).data);
  console.log((await api.GET('/tracking/sms_transfers', { params: { query: { state: 'SENT', limit: 10 } } })).data);
  console.log(
    (await api.DELETE('/tracking/sms_transfers/{ubid}', { params: { path } })).response.status,
    (await api.GET('/tracking/sms_documents/{ubid}', { params: { path } })).error,
  );
}
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
