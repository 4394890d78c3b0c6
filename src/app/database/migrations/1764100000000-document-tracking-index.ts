import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One index for delivery tracking per document (issue 6), serving both of its reads:
 *
 * - the listing of a batch's documents in one state, a page at a time by uniqueId: a seek to
 *   (UBID, state, after) and the next `limit` entries, as fast on the last page as on the first;
 * - the progress summary (count per state and the last change): one pass over the batch's
 *   entries, which hold every column it needs (`when` included), so the table is never read.
 *
 * Every index slows the bulk upsert, so there is one, not one per read; docs/performance.md has
 * its cost. On PostgreSQL, CREATE INDEX blocks writes to the table while it is built (CONCURRENTLY
 * cannot run inside the migration's transaction); on a big existing table, run it at a quiet time.
 */
export class DocumentTrackingIndex1764100000000 implements MigrationInterface {
  name = 'DocumentTrackingIndex1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_sms_documents_UBID_state_uniqueId_when" ON "sms_documents" ("UBID", "state", "uniqueId", "when")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_sms_documents_UBID_state_uniqueId_when"`);
  }
}
