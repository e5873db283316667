// The Registry contract (test/registry/contract.ts) on SQLite and on Postgres, and what only the
// SQLite file has (rows from before colours existed).

import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { openDatabase } from '../server/db.ts'
import { SqliteRegistry, hashToken } from '../server/registry/index.ts'
import { PALETTE } from '../shared/presence/index.ts'
import { runRegistryContract } from './registry/contract.ts'
import { openRegistryInstance, opLogText } from './registry/instances.ts'
import { freshDatabase } from './helpers/postgres.ts'

const tempDirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-registry-'))
  tempDirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

runRegistryContract('sqlite', async () => {
  const file = join(tempDir(), 'reg.db')
  let db = openDatabase(file)
  let registry = new SqliteRegistry(db)
  return {
    registry,
    stored: async () => JSON.stringify(db.prepare('SELECT * FROM principals').all()),
    reopen: async () => {
      db.close()
      db = openDatabase(file)
      registry = new SqliteRegistry(db)
      return registry
    },
    teardown: async () => {
      db.close()
    },
  }
})

runRegistryContract('postgres', async () => {
  const url = await freshDatabase('reg')
  let instance = await openRegistryInstance(url, 'a')
  return {
    registry: instance.registry,
    stored: () => opLogText(url),
    // A restart: a new replica replays the log.
    reopen: async () => {
      await instance.close()
      instance = await openRegistryInstance(url, 'a')
      return instance.registry
    },
    teardown: () => instance.close(),
  }
})

describe('SQLite registry file', () => {
  it('members from before colours existed get theirs at start, in the order they joined', async () => {
    const file = join(tempDir(), 'r.db')
    const old = openDatabase(file)
    await new SqliteRegistry(old).applyBootstrap({
      principals: [
        { id: 'zed', kind: 'human', token: 'z'.repeat(20) + 'abcdefghijkl' },
        { id: 'amy', kind: 'human', token: 'a'.repeat(20) + 'bcdefghijklm' },
      ],
      workspaces: [{ id: 'w', members: { zed: 'owner', amy: 'editor' } }],
    })
    old.prepare('UPDATE members SET color = NULL').run()
    old.close()
    const reopened = openDatabase(file)
    try {
      const r = new SqliteRegistry(reopened)
      expect([r.colorOf('w', 'zed'), r.colorOf('w', 'amy')]).toEqual([PALETTE[0], PALETTE[1]])
    } finally {
      reopened.close()
    }
  })
})

describe('token hashes', () => {
  it('hashToken is the SHA-256 hex digest of the token as UTF-8 (tokens stored before keep authenticating)', () => {
    for (const t of ['pp_test_alice_token_0123456789abcdef', 'bench_c1_token_0123456789abcdef_0123', 'pp_ünïcödé_tökén_✓_0123456789abcdef', 'x'.repeat(4096)]) {
      expect(hashToken(t)).toBe(createHash('sha256').update(t, 'utf8').digest('hex'))
    }
  })
})
