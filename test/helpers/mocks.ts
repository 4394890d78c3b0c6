import { UnitOfWork } from '../../src/core/database/unit-of-work';
import { batchJsonText, DocumentBatch } from '../../src/sms-document/domain/document-batch';
import { ReceiptRepository } from '../../src/sms-document/receipts/receipt.repository';
import { SmsDocumentRepository } from '../../src/sms-document/sms-document.repository';
import { SmsTransferRepository } from '../../src/sms-transfer/sms-transfer.repository';
import { ProviderOverride } from '../../tools/app-in-process';

/** A jest mock for every abstract method of a repository port, typed by the port. */
type MockOf<T> = { [K in keyof T]: jest.Mock };

export function mockSmsTransferRepository(): MockOf<SmsTransferRepository> {
  return {
    upsert: jest.fn(),
    findByUbid: jest.fn(),
    findPage: jest.fn(),
    updateState: jest.fn(),
    setFallbackCount: jest.fn(),
    setFallbackCountFromDocuments: jest.fn(),
    delete: jest.fn(),
    findExpired: jest.fn(),
    lockIfExpired: jest.fn(),
    deleteExpiredDocuments: jest.fn(),
    deleteIfExpired: jest.fn(),
  };
}

export function mockSmsDocumentRepository(): MockOf<SmsDocumentRepository> {
  return {
    upsertMany: jest.fn(),
    countByUbid: jest.fn(),
    hasDocuments: jest.fn(),
    updateStateByUbid: jest.fn(),
    countStates: jest.fn(),
    findPage: jest.fn(),
    findPageWithData: jest.fn(),
    findOne: jest.fn(),
    lockStates: jest.fn(),
    updateStates: jest.fn(),
  };
}

export function mockReceiptRepository(): MockOf<ReceiptRepository> {
  return {
    lockMessageIds: jest.fn(),
    findByMessageIds: jest.fn(),
    lockByMessageIds: jest.fn(),
    writeDeliveries: jest.fn(),
    submit: jest.fn(),
    countPending: jest.fn(),
    addPending: jest.fn(),
    takePending: jest.fn(),
    deletePendingReceivedBefore: jest.fn(),
  };
}

/**
 * The mocked repositories need no transaction, so the unit of work just runs the call; errors
 * still propagate exactly as a rollback would let them.
 */
export function passThroughUnitOfWork(): UnitOfWork {
  return { read: (work) => work(), write: (work) => work(), writeSingleStatement: (work) => work() };
}

/** The providers of an app without a database: both repositories mocked, and the pass-through unit of work. */
export function mockedRepositories(transfers: MockOf<SmsTransferRepository>, documents: MockOf<SmsDocumentRepository>): ProviderOverride[] {
  return [
    { provide: SmsTransferRepository, useValue: transfers },
    { provide: SmsDocumentRepository, useValue: documents },
    { provide: UnitOfWork, useValue: passThroughUnitOfWork() },
  ];
}

/** The pass-through unit of work with its calls recorded: each service call must be one unit of work, of the right kind. */
export function spyingUnitOfWork(): MockOf<UnitOfWork> {
  const { read, write, writeSingleStatement } = passThroughUnitOfWork();
  return { read: jest.fn(read), write: jest.fn(write), writeSingleStatement: jest.fn(writeSingleStatement) };
}

/** What a mocked `upsertMany` was handed in its `call`-th call: the batch's UBID, count and documents, decoded. */
export function uploadedBatch(upsertMany: jest.Mock, call = 0): { UBID: string; count: number; documents: Record<string, unknown>[] } {
  const { UBID, count, json } = upsertMany.mock.calls[call][0] as DocumentBatch;
  return { UBID, count, documents: JSON.parse(batchJsonText(json)) as Record<string, unknown>[] };
}
