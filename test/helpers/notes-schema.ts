import { Column, Entity, MigrationInterface, PrimaryColumn, QueryRunner } from 'typeorm';

/**
 * A schema of one table that is no feature's, for the specs of core's database plumbing: it runs
 * the migrations a service passes it, whichever they are.
 */
export class CreateNotes1700000000000 implements MigrationInterface {
  name = 'CreateNotes1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY, "text" VARCHAR(50) NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notes"`);
  }
}

export const NOTES_MIGRATIONS = [CreateNotes1700000000000];

/** A feature's entity, mapped on the table the migration makes. */
@Entity('notes')
export class NoteEntity {
  @PrimaryColumn()
  id!: number;

  @Column()
  text!: string;
}
