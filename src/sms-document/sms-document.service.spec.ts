import { NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mockSmsDocumentRepository, spyingUnitOfWork } from '../../test/helpers/mocks';
import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { TrackingState } from '../core/tracking-state';
import { SmsDocumentRepository } from './sms-document.repository';
import { SmsDocumentService } from './sms-document.service';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const document = (uniqueId: string, SMScount = 1) => ({ uniqueId, SMScount, data: { uniqueId, SMScount } });

describe('SmsDocumentService', () => {
  let service: SmsDocumentService;
  const repository = mockSmsDocumentRepository();
  const unitOfWork = spyingUnitOfWork();

  beforeEach(async () => {
    jest.clearAllMocks();
    const moduleRef = await Test.createTestingModule({
      providers: [
        SmsDocumentService,
        { provide: SmsDocumentRepository, useValue: repository },
        { provide: UnitOfWork, useValue: unitOfWork },
      ],
    }).compile();
    service = moduleRef.get(SmsDocumentService);
  });

  describe('upsert', () => {
    it('writes all documents with one statement in its own implicit transaction, and reports them', async () => {
      const documents = [document('a'), document('b')];

      await expect(service.upsert(UBID, documents)).resolves.toEqual({
        result: `Inserted 2 document(s) for UBID '${UBID}' in table tracking.sms_documents`,
        count: 2,
      });
      expect(unitOfWork.runSingleStatement).toHaveBeenCalledTimes(1);
      expect(unitOfWork.run).not.toHaveBeenCalled();
      expect(repository.upsertMany).toHaveBeenCalledWith(UBID, documents);
    });

    it('keeps the last occurrence of a repeated uniqueId', async () => {
      await service.upsert(UBID, [document('a', 1), document('b'), document('a', 3), document('a', 4)]);

      expect(repository.upsertMany).toHaveBeenCalledWith(UBID, [document('a', 4), document('b')]);
    });

    it("turns the database's refusal into the original's 422", async () => {
      repository.upsertMany.mockRejectedValue(new IntegrityError('FOREIGN KEY constraint failed'));

      const failure = service.upsert(UBID, [document('a')]);

      await expect(failure).rejects.toBeInstanceOf(UnprocessableEntityException);
      await expect(failure).rejects.toMatchObject({
        response: { detail: `Failed Upsert of UBID '${UBID}' document(s) in table tracking.sms_documents => FOREIGN KEY constraint failed` },
      });
    });

    it('passes other failures on', async () => {
      repository.upsertMany.mockRejectedValue(new Error('disk full'));

      await expect(service.upsert(UBID, [document('a')])).rejects.toThrow('disk full');
    });
  });

  it.each([
    ['count', () => service.count(UBID), repository.countByUbid],
    ['updateState', () => service.updateState(UBID, TrackingState.DONE), repository.updateStateByUbid],
  ])('%s answers 404 when the batch has no documents', async (_name, call, repositoryMethod) => {
    repositoryMethod.mockResolvedValue(0);

    await expect(call()).rejects.toBeInstanceOf(NotFoundException);
    await expect(call()).rejects.toMatchObject({ response: { detail: `UBID '${UBID}' not found in table tracking.sms_documents` } });
  });
});
