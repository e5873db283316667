// The registry on the server's own SQLite database (the embedded default): one instance, so an
// op is applied and committed in one local transaction, and its changes announced at once.

import type { Database } from '../db.ts'
import { Registry } from './Registry.ts'
import { RegistryState } from './RegistryState.ts'
import type { RegistryOp, ResultOf } from './ops.ts'

export class SqliteRegistry extends Registry {
  constructor(db: Database) {
    super(new RegistryState(db))
  }

  protected async commit<O extends RegistryOp>(op: O): Promise<ResultOf<O>> {
    const { result, changes } = this.state.apply(op)
    this.announce(changes)
    return result
  }

  /** Nothing else writes this database. */
  refresh(): Promise<boolean> {
    return Promise.resolve(false)
  }

  /** The database belongs to the server, which closes it. */
  close(): Promise<void> {
    return Promise.resolve()
  }
}
