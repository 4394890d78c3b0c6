import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { TrackingState } from '../core/tracking-state';
import { SmsDocumentResultDto } from './dto/sms-document-result.dto';
import { NewSmsDocument, SmsDocumentRepository } from './sms-document.repository';

const TABLE = 'tracking.sms_documents';

/** The rules for documents; each method is one API call and so one unit of work. Texts are the original's. */
@Injectable()
export class SmsDocumentService {
  constructor(
    private readonly documents: SmsDocumentRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async upsert(ubid: string, documents: NewSmsDocument[]): Promise<SmsDocumentResultDto> {
    const unique = lastOccurrences(documents);
    try {
      await this.unitOfWork.runSingleStatement(() => this.documents.upsertMany(ubid, unique));
    } catch (error) {
      if (error instanceof IntegrityError) {
        throw new UnprocessableEntityException({
          detail: `Failed Upsert of UBID '${ubid}' document(s) in table ${TABLE} => ${error.reason}`,
        });
      }
      throw error;
    }
    return { result: `Inserted ${unique.length} document(s) for UBID '${ubid}' in table ${TABLE}`, count: unique.length };
  }

  async count(ubid: string): Promise<SmsDocumentResultDto> {
    const count = await this.unitOfWork.run(() => this.documents.countByUbid(ubid));
    return { result: `Found ${orNotFound(ubid, count)} document(s) for UBID '${ubid}' in table ${TABLE}`, count };
  }

  async updateState(ubid: string, state: TrackingState): Promise<SmsDocumentResultDto> {
    const count = await this.unitOfWork.run(() => this.documents.updateStateByUbid(ubid, state));
    return { result: `Updated state to '${state}' in ${orNotFound(ubid, count)} row(s) for UBID '${ubid}' in table ${TABLE}`, count };
  }
}

/** A batch without documents is, to the original's clients, a batch not found. */
function orNotFound(ubid: string, count: number): number {
  if (count === 0) {
    throw new NotFoundException({ detail: `UBID '${ubid}' not found in table ${TABLE}` });
  }
  return count;
}

/**
 * A uniqueId sent twice in one request is stored once, with its last values — what a database
 * upsert applied row by row would leave, and the same on every engine (PostgreSQL refuses to
 * touch one row twice in a single statement).
 */
function lastOccurrences(documents: NewSmsDocument[]): NewSmsDocument[] {
  const byId = new Map<string, NewSmsDocument>();
  for (const document of documents) {
    byId.set(document.uniqueId, document);
  }
  return byId.size === documents.length ? documents : [...byId.values()];
}
