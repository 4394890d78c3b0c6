import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema of the Python original, with the constraints it relied on spelled out:
 * the documents' foreign key cascades deletes, the database fills every default,
 * and states are limited to INIT, SENT and DONE.
 */
export class InitialSchema1732000000000 implements MigrationInterface {
  name = 'InitialSchema1732000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sms_transfers" (
        "UBID" CHAR(36) NOT NULL PRIMARY KEY,
        "fileName" VARCHAR(55) NOT NULL,
        "origName" VARCHAR(50) NOT NULL,
        "fallbackCount" INTEGER NOT NULL DEFAULT 0,
        "when" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "state" VARCHAR(4) NOT NULL DEFAULT 'INIT' CHECK ("state" IN ('INIT', 'SENT', 'DONE')),
        "documents" INTEGER NOT NULL,
        "SMScount" INTEGER
      )`);
    // Listing is "newest first", optionally for one state.
    await queryRunner.query(`CREATE INDEX "IDX_sms_transfers_when" ON "sms_transfers" ("when")`);
    await queryRunner.query(`CREATE INDEX "IDX_sms_transfers_state_when" ON "sms_transfers" ("state", "when")`);
    await queryRunner.query(`
      CREATE TABLE "sms_documents" (
        "UBID" CHAR(36) NOT NULL REFERENCES "sms_transfers" ("UBID") ON DELETE CASCADE,
        "uniqueId" VARCHAR(10) NOT NULL,
        "state" VARCHAR(4) NOT NULL DEFAULT 'INIT' CHECK ("state" IN ('INIT', 'SENT', 'DONE')),
        "SMScount" INTEGER NOT NULL,
        "when" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "data" JSON NOT NULL,
        PRIMARY KEY ("UBID", "uniqueId")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sms_documents"`);
    await queryRunner.query(`DROP TABLE "sms_transfers"`);
  }
}
