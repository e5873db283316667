// The SQLite write path shares one transaction per event-loop turn (server/sqliteGroupCommit.ts):
// appends, client-id claims, the detector's owners and versions requested in one turn are one
// fsync; each still resolves only once committed, a failing one rejects alone, and a graceful
// stop writes what unloading rooms asked for.

import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { openDatabase, type Database as Db } from '../server/db.ts'
import { SqliteStorage } from '../server/storage/SqliteStorage.ts'
import { SqliteClientIds } from '../server/core/SqliteClientIds.ts'
import { SqliteClientOwners } from '../server/conflicts/SqliteClientOwners.ts'
import { SqliteVersionStore } from '../server/history/SqliteVersionStore.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, text } from './helpers/clients.ts'
import { until } from './helpers/wait.ts'

const t = useHarness()
let db: Db | null = null
afterEach(() => {
  db?.close()
  db = null
})

function oneInsert(clientID: number): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientID
  doc.getText('main').insert(0, 'x')
  return Y.encodeStateAsUpdate(doc)
}

describe('one SQLite transaction per turn for the write path', () => {
  it('appends, claims, owners and versions of 100 rooms in one turn are one transaction; a refused claim answers alone', async () => {
    db = openDatabase(':memory:')
    const storage = new SqliteStorage(db)
    const claims = new SqliteClientIds(db)
    const owners = new SqliteClientOwners(db)
    const versions = new SqliteVersionStore(db)
    await claims.claim('w0/shared', 'bob', [7], 1)
    const before = storage.stats().transactions
    const rooms = Array.from({ length: 100 }, (_, i) => `w${i}/shared`)
    const requested = rooms.flatMap((room, i) => [
      claims.claim(room, 'alice', [i === 0 ? 7 : 1000 + i], 2),
      storage.append(room, [{ principal: 'alice', clients: [1000 + i], at: 2, data: oneInsert(1000 + i) }]),
      owners.add(room, 1000 + i, 'alice'),
      versions.add({ room, seq: 1, at: 2, principal: 'polyphony-server', reason: 'unload', label: null, docs: [], snapshot: new Uint8Array([0]) }),
    ])
    // Nothing is written before the turn ends: it all goes in the turn's transaction.
    expect(db.prepare('SELECT count(*) AS n FROM history_client_ids').get()).toEqual({ n: 1 })
    expect(db.prepare('SELECT count(*) AS n FROM conflict_client_owners').get()).toEqual({ n: 0 })
    const results = await Promise.all(requested)
    expect(storage.stats().transactions - before).toBe(1)
    expect(results[0]).toMatch(/client id 7 belongs to another writer/)
    expect(results.filter((r) => r === null)).toHaveLength(99)
    expect(await claims.owners('w0/shared')).toEqual(new Map([[7, 'bob']]))
    expect(await claims.owners('w5/shared')).toEqual(new Map([[1005, 'alice']]))
    expect(await owners.of('w5/shared')).toEqual(new Map([[1005, 'alice']]))
    expect((await storage.load('w99/shared')).updates.map((u) => u.seq)).toEqual([1])
    expect((await versions.latest('w99/shared'))?.n).toBe(1)
  })

  it('a graceful stop stores the version each loaded room takes as it unloads', async () => {
    const server = await t.start()
    const rooms = ['w1/shared', 'team/shared']
    for (const room of rooms) {
      const c = t.stock(room, 'alice')
      await synced(c)
      text(c).insert(0, `last words in ${room}`)
      const loaded = await server.core.room(room)
      await until(loaded.doc, 'update', () => loaded.doc.getText('main').length > 0, `the edit in ${room}`)
      await loaded.drain()
    }
    await server.stop()
    const file = new Database(join(server.dataDir, 'polyphony.db'), { readonly: true })
    try {
      const stored = file.prepare("SELECT room FROM history_versions WHERE reason = 'unload' ORDER BY room").all() as Array<{ room: string }>
      expect(stored.map((r) => r.room)).toEqual([...rooms].sort())
    } finally {
      file.close()
    }
  })
})
