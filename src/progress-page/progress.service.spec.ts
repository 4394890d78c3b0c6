import { SmsDocumentService } from '../sms-document/sms-document.service';
import { SmsTransfer } from '../sms-transfer/domain/sms-transfer';
import { SmsTransferService } from '../sms-transfer/sms-transfer.service';
import { TrackingState } from '../tracking/tracking-state';
import { ProgressService } from './progress.service';
import { SUMMARY_FRESHNESS, SummaryCache } from './summary-cache';

const transfer = (UBID: string): SmsTransfer => ({
  UBID,
  fileName: `${UBID}.json`,
  origName: `${UBID}.csv`,
  fallbackCount: 0,
  when: new Date('2024-04-17T08:58:37.000Z'),
  state: TrackingState.INIT,
  documents: 10,
  SMScount: 10,
});
const summary = (UBID: string) => ({ UBID, total: 10, INIT: 5, SENT: 3, DONE: 2, lastChange: new Date('2024-04-17T09:12:05.000Z') });

describe('ProgressService', () => {
  const transfers = { get: jest.fn(), list: jest.fn() };
  const documents = { findSummary: jest.fn() };
  let service: ProgressService;

  beforeEach(() => {
    jest.resetAllMocks();
    service = new ProgressService(
      transfers as unknown as SmsTransferService,
      documents as unknown as SmsDocumentService,
      new SummaryCache(SUMMARY_FRESHNESS),
    );
  });

  it('answers a transfer with its summary, counted once for callers within the window', async () => {
    transfers.get.mockImplementation(async (ubid: string) => transfer(ubid));
    documents.findSummary.mockImplementation(async (ubid: string) => summary(ubid));

    const [first, second] = await Promise.all([service.get('a'), service.get('a')]);

    expect(first).toEqual({ transfer: transfer('a'), summary: summary('a') });
    expect(second).toEqual(first);
    expect(transfers.get).toHaveBeenCalledTimes(2);
    expect(documents.findSummary).toHaveBeenCalledTimes(1);
  });

  it('leaves out of a page a transfer deleted before its summary was counted, and keeps the total', async () => {
    transfers.list.mockResolvedValue({ items: [transfer('a'), transfer('gone'), transfer('c')], total: 3 });
    documents.findSummary.mockImplementation(async (ubid: string) => (ubid === 'gone' ? null : summary(ubid)));

    const page = await service.list({ limit: 10, offset: 0 });

    expect(page).toEqual({
      total: 3,
      items: [
        { transfer: transfer('a'), summary: summary('a') },
        { transfer: transfer('c'), summary: summary('c') },
      ],
    });
    expect(transfers.list).toHaveBeenCalledWith({ limit: 10, offset: 0 });
  });

  it('answers not found for a transfer deleted between its lookup and its summary', async () => {
    transfers.get.mockImplementation(async (ubid: string) => transfer(ubid));
    documents.findSummary.mockResolvedValue(null);

    await expect(service.get('gone')).rejects.toMatchObject({
      kind: 'not-found',
      detail: "UBID 'gone' is not found in table tracking.sms_transfers",
    });
  });

  it('lets a failed summary fail the page', async () => {
    transfers.list.mockResolvedValue({ items: [transfer('a')], total: 1 });
    documents.findSummary.mockRejectedValue(new Error('disk I/O error'));

    await expect(service.list({ limit: 10, offset: 0 })).rejects.toThrow('disk I/O error');
  });
});
