import { MigrationInterface, QueryRunner } from 'typeorm';

const OUTCOMES = `'delivered', 'failed', 'expired', 'rejected', 'unknown'`;
const STATUSES = `${OUTCOMES}, 'accepted', 'enroute', 'buffered', 'queued', 'sent'`;

/**
 * Delivery receipts straight from the SMS gateways (issue 26).
 *
 * `sms_documents` gains the gateway's id of each message (`gateway`, `messageId`) and what became
 * of it (`outcome`, `errorCode`, `doneAt`), all null until a submission or a receipt sets them.
 * One index, unique, finds a document by its gateway's id, case-insensitively; it holds no row
 * without an id, and none of the columns a receipt changes: on PostgreSQL every index a changed
 * column is in gets a new entry for each change (docs/database.md), so `outcome` and `doneAt` are
 * in none.
 *
 * `pending_receipts` keeps the receipts whose message id no document has yet (they often outrun the
 * submission), until a submission names the id or the retention job drops them.
 */
export class DeliveryReceipts1766100000000 implements MigrationInterface {
  name = 'DeliveryReceipts1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const timestamp = postgres ? 'TIMESTAMPTZ' : 'TIMESTAMP';
    for (const column of [
      `"gateway" VARCHAR(16)`,
      `"messageId" VARCHAR(64)`,
      `"outcome" VARCHAR(9) CHECK ("outcome" IN (${OUTCOMES}))`,
      `"errorCode" VARCHAR(64)`,
      `"doneAt" ${timestamp}`,
    ]) {
      await queryRunner.query(`ALTER TABLE "sms_documents" ADD COLUMN ${column}`);
    }
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_sms_documents_gateway_messageId" ON "sms_documents" ("gateway", lower("messageId")) WHERE "messageId" IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "pending_receipts" (
        "id" ${postgres ? 'BIGINT GENERATED ALWAYS AS IDENTITY' : 'INTEGER'} PRIMARY KEY,
        "gateway" VARCHAR(16) NOT NULL,
        "messageId" VARCHAR(64) NOT NULL,
        "status" VARCHAR(9) NOT NULL CHECK ("status" IN (${STATUSES})),
        "errorCode" VARCHAR(64),
        "doneAt" ${timestamp},
        "receivedAt" ${timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_pending_receipts_gateway_messageId" ON "pending_receipts" ("gateway", lower("messageId"))`);
    await queryRunner.query(`CREATE INDEX "IDX_pending_receipts_receivedAt" ON "pending_receipts" ("receivedAt")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "pending_receipts"`);
    await queryRunner.query(`DROP INDEX "IDX_sms_documents_gateway_messageId"`);
    for (const column of ['doneAt', 'errorCode', 'outcome', 'messageId', 'gateway']) {
      await queryRunner.query(`ALTER TABLE "sms_documents" DROP COLUMN "${column}"`);
    }
  }
}
