import { Injectable } from '@nestjs/common';
import { IntegrityError, isIntegrityViolation } from '../core/database/integrity-error';
import { TransactionContext } from '../core/database/transaction-context';
import { TrackingState } from '../core/tracking-state';
import { SmsDocumentEntity } from './sms-document.entity';
import { NewSmsDocument, SmsDocumentRepository } from './sms-document.repository';

/** SQLite refuses statements with more bound variables than this (SQLITE_MAX_VARIABLE_NUMBER). */
export const SQLITE_MAX_VARIABLES = 32_766;
const VARIABLES_PER_ROW = 4;
/** 8191 rows: a 5000-document request is always one statement. */
export const ROWS_PER_STATEMENT = Math.floor(SQLITE_MAX_VARIABLES / VARIABLES_PER_ROW);

@Injectable()
export class TypeOrmSmsDocumentRepository extends SmsDocumentRepository {
  constructor(private readonly transaction: TransactionContext) {
    super();
  }

  /**
   * One multi-row `INSERT … ON CONFLICT DO UPDATE` per ROWS_PER_STATEMENT documents, written as
   * SQL rather than built by TypeORM's query builder or `repository.upsert()`: those are several
   * times slower at this size, and `upsert()` cannot reset state and time on conflict.
   */
  async upsertMany(ubid: string, documents: NewSmsDocument[]): Promise<number> {
    const queryRunner = this.transaction.manager.queryRunner!;
    let written = 0;
    try {
      for (let start = 0; start < documents.length; start += ROWS_PER_STATEMENT) {
        const chunk = documents.slice(start, start + ROWS_PER_STATEMENT);
        const result = await queryRunner.query(upsertStatement(chunk.length), bindRows(ubid, chunk), true);
        written += result.affected ?? 0;
      }
    } catch (error) {
      if (isIntegrityViolation(error)) throw new IntegrityError(error.message);
      throw error;
    }
    return written;
  }

  async countByUbid(ubid: string): Promise<number> {
    return this.transaction.manager.countBy(SmsDocumentEntity, { UBID: ubid });
  }

  async updateStateByUbid(ubid: string, state: TrackingState): Promise<number> {
    const result = await this.transaction.manager.update(SmsDocumentEntity, { UBID: ubid }, { state, when: () => 'CURRENT_TIMESTAMP' });
    return result.affected ?? 0;
  }
}

function upsertStatement(rows: number): string {
  return `INSERT INTO "sms_documents" ("UBID", "uniqueId", "SMScount", "data")
    VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}
    ON CONFLICT ("UBID", "uniqueId") DO UPDATE SET
      "SMScount" = excluded."SMScount",
      "data" = excluded."data",
      "state" = '${TrackingState.INIT}',
      "when" = CURRENT_TIMESTAMP`;
}

function bindRows(ubid: string, documents: NewSmsDocument[]): unknown[] {
  const values = new Array<unknown>(documents.length * VARIABLES_PER_ROW);
  documents.forEach((document, row) => {
    const at = row * VARIABLES_PER_ROW;
    values[at] = ubid;
    values[at + 1] = document.uniqueId;
    values[at + 2] = document.SMScount;
    values[at + 3] = JSON.stringify(document.data);
  });
  return values;
}
