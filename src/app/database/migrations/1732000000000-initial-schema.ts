import { MigrationInterface, QueryRunner } from 'typeorm';

const STATES = `'INIT', 'SENT', 'DONE'`;

/**
 * The schema of the Python original, with the constraints it relied on spelled out:
 * the documents' foreign key cascades deletes, the database fills every default,
 * and states are limited to INIT, SENT and DONE.
 *
 * `IF NOT EXISTS` adopts a database the Python original created (same tables, no migrations
 * table): its rows stay as they are, the listing indexes are added, and on PostgreSQL its
 * zone-less TIMESTAMP columns (UTC, as the original wrote them) become TIMESTAMPTZ.
 *
 * The engines differ in two types. Times: SQLite has no time type and stores CURRENT_TIMESTAMP
 * as UTC text; PostgreSQL stores TIMESTAMPTZ, an instant, which the driver reads as such whatever
 * the server's or the service's time zone. Data: both keep JSON as the text that was sent
 * (PostgreSQL's JSON, not JSONB, which would reorder keys).
 */
export class InitialSchema1732000000000 implements MigrationInterface {
  name = 'InitialSchema1732000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.options.type === 'postgres' ? 'TIMESTAMPTZ' : 'TIMESTAMP';
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "sms_transfers" (
        "UBID" CHAR(36) NOT NULL PRIMARY KEY,
        "fileName" VARCHAR(55) NOT NULL,
        "origName" VARCHAR(50) NOT NULL,
        "fallbackCount" INTEGER NOT NULL DEFAULT 0,
        "when" ${timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "state" VARCHAR(4) NOT NULL DEFAULT 'INIT' CHECK ("state" IN (${STATES})),
        "documents" INTEGER NOT NULL,
        "SMScount" INTEGER
      )`);
    // Listing is "newest first", optionally for one state.
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_sms_transfers_when" ON "sms_transfers" ("when")`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_sms_transfers_state_when" ON "sms_transfers" ("state", "when")`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "sms_documents" (
        "UBID" CHAR(36) NOT NULL REFERENCES "sms_transfers" ("UBID") ON DELETE CASCADE,
        "uniqueId" VARCHAR(10) NOT NULL,
        "state" VARCHAR(4) NOT NULL DEFAULT 'INIT' CHECK ("state" IN (${STATES})),
        "SMScount" INTEGER NOT NULL,
        "when" ${timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "data" JSON NOT NULL,
        PRIMARY KEY ("UBID", "uniqueId")
      )`);
    if (timestamp === 'TIMESTAMPTZ') await this.zoneOriginalTimes(queryRunner);
  }

  private async zoneOriginalTimes(queryRunner: QueryRunner): Promise<void> {
    const zoneless = (await queryRunner.query(
      `SELECT table_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name IN ('sms_transfers', 'sms_documents')
         AND column_name = 'when' AND data_type = 'timestamp without time zone'`,
    )) as { table_name: string }[];
    for (const { table_name } of zoneless) {
      await queryRunner.query(`ALTER TABLE "${table_name}" ALTER COLUMN "when" TYPE TIMESTAMPTZ USING "when" AT TIME ZONE 'UTC'`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sms_documents"`);
    await queryRunner.query(`DROP TABLE "sms_transfers"`);
  }
}
