import type SqliteDatabase from 'better-sqlite3'

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running a
 * simple query. This wraps the connection so each distinct SQL text is prepared once.
 * Safe because Kysely drives one SQLite connection strictly one query at a time, and the
 * server never streams results (a streaming statement could not be shared).
 */
export function withStatementCache(
  handle: SqliteDatabase.Database,
  capacity = 500,
): SqliteDatabase.Database {
  const statements = new Map<string, SqliteDatabase.Statement>()
  return new Proxy(handle, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (sql: string) => {
        let statement = statements.get(sql)
        if (!statement) {
          statement = target.prepare(sql)
          if (statements.size >= capacity) statements.delete(statements.keys().next().value as string)
          statements.set(sql, statement)
        }
        return statement
      }
    },
  })
}
