import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL: new pages of `sms_documents` are filled to 70 %, not 100 %. PostgreSQL writes every
 * change of a document as a new row version, and since `state` and `when` are in the tracking index
 * none is a HOT update. A page with room keeps the new version beside the old one, which the next
 * read of the page prunes; a full page sends it to another page, and a batch's rows spread over
 * ever more of the table. Under uploads, receipts and moves of whole batches meeting, the table held
 * 417–616 MB instead of 729–1,026 MB after a minute, and completed a quarter more requests in three
 * pairs of runs of four (docs/performance.md). A fresh batch takes 43 % more pages until its
 * documents change.
 * Existing pages keep their fill until they are rewritten. SQLite changes rows in place: nothing to do.
 */
export class DocumentsFillfactor1765100000000 implements MigrationInterface {
  name = 'DocumentsFillfactor1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(`ALTER TABLE "sms_documents" SET (fillfactor = 70)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(`ALTER TABLE "sms_documents" RESET (fillfactor)`);
    }
  }
}
