// A real PostgreSQL cluster for tests (started by pgCluster.ts). One cluster serves a whole vitest
// run (test/helpers/postgresGlobal.ts); each test file or test takes its own database from it
// with `freshDatabase()`.

import { inject } from 'vitest'
import { createDatabase } from './pgCluster.ts'

export { createDatabase, pgUrl, postgresBinDir, startPgCluster, type PgCluster } from './pgCluster.ts'

let counter = 0

/**
 * A new empty database on the run's cluster; returns its URL. Test files call this in
 * beforeAll/beforeEach, so no two tests share tables.
 */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const socketDir = inject('pgSocketDir')
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase()
  return createDatabase(socketDir, name)
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgSocketDir: string
  }
}
