import type { Kysely, Migration } from 'kysely'

/** device groups. Frozen in time: it never imports application code. */
export function deviceGroups(dialect: 'sqlite' | 'postgres'): Migration {
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
