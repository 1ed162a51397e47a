import type { Kysely, Migration } from 'kysely'

/** device relationships. Frozen in time: it never imports application code. */
export function deviceRelationships(dialect: 'sqlite' | 'postgres'): Migration {
  void dialect
  return {
    async up(db: Kysely<any>) {
      void db
    },
    async down(db: Kysely<any>) {
      void db
    },
  }
}
