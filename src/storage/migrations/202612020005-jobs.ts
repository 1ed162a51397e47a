import { sql, type Kysely } from 'kysely'
import { type Migration } from 'kysely/migration'

/**
 * Jobs, the devices each one works on, and scheduled jobs. Frozen in time: it never imports
 * application code. Ids are paged and compared byte-wise, as in the initial schema.
 */
export function jobs(dialect: 'sqlite' | 'postgres'): Migration {
  const key = dialect === 'postgres' ? sql`text collate "C"` : sql`text`
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text')
        .addColumn('description', 'text')
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('batch', 'text')
        .addColumn('cancellation_threshold', 'text')
        .addColumn('organization_id', key)
        .addColumn('scheduled_job_id', key)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('start_at', bigint, (c) => c.notNull())
        .addColumn('end_at', bigint)
        .addColumn('snapshot_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('snapshot_after', key)
        .addColumn('current_batch', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires', bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
      // The runner looks for running jobs; a scheduled job lists its occurrences by id.
      await db.schema.createIndex('jobs_status').on('jobs').columns(['status', 'lease_expires']).execute()
      await db.schema
        .createIndex('jobs_scheduled_job')
        .on('jobs')
        .columns(['scheduled_job_id', 'id'])
        .execute()
      await db.schema.createIndex('jobs_organization').on('jobs').columns(['organization_id', 'id']).execute()

      await db.schema
        .createTable('job_devices')
        .addColumn('job_id', key, (c) => c.notNull())
        .addColumn('device_id', key, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('batch', 'integer')
        .addColumn('reason', 'text')
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('job_devices_pk', ['job_id', 'device_id'])
        .execute()
      await db.schema
        .createIndex('job_devices_status')
        .on('job_devices')
        .columns(['job_id', 'status', 'device_id'])
        .execute()
      await db.schema
        .createIndex('job_devices_batch')
        .on('job_devices')
        .columns(['job_id', 'batch', 'status'])
        .execute()

      await db.schema
        .createTable('scheduled_jobs')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('display_name', 'text')
        .addColumn('description', 'text')
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('batch', 'text')
        .addColumn('cancellation_threshold', 'text')
        .addColumn('organization_id', key)
        .addColumn('schedule', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('completed', 'integer', (c) => c.notNull())
        .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_run_at', bigint)
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('scheduled_jobs_due')
        .on('scheduled_jobs')
        .columns(['next_run_at'])
        .execute()
      await db.schema
        .createIndex('scheduled_jobs_organization')
        .on('scheduled_jobs')
        .columns(['organization_id', 'id'])
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('scheduled_jobs').execute()
      await db.schema.dropTable('job_devices').execute()
      await db.schema.dropTable('jobs').execute()
    },
  }
}
