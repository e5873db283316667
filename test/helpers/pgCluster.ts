// A real PostgreSQL cluster from Debian's own binaries (/usr/lib/postgresql/<v>/bin), initdb'd in a
// temp directory and reached only over a unix socket in that directory (no TCP port, nothing
// downloaded). PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres`
// user. No vitest here: the tests' global setup (postgresGlobal.ts) and the benchmark
// (bench/cluster.ts) both start their cluster with it.

import { spawnSync } from 'node:child_process'
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export interface PgCluster {
  /** Directory holding the server's unix socket. */
  socketDir: string
  /** The cluster's data directory (postmaster.pid, server.log). */
  dataDir: string
  /** Connection URL of database `name` on this cluster. */
  url(name: string): string
  stop(): void
}

/** The newest installed PostgreSQL's bin directory, or a clear error saying how to get one. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: run `apt-get install postgresql` (the tests use its initdb/pg_ctl; .ci/run does this)')
  return join(root, versions[0], 'bin')
}

export function pgUrl(socketDir: string, database: string): string {
  return `postgres://postgres@localhost/${database}?host=${encodeURIComponent(socketDir)}`
}

/** initdb + start a cluster in a new temp directory. Takes ~1–3 s. */
export function startPgCluster(): PgCluster {
  const bin = postgresBinDir()
  const root = mkdtempSync(join(tmpdir(), 'polyphony-pg-'))
  const data = join(root, 'data')
  const socketDir = join(root, 'sock')
  mkdirSync(data)
  mkdirSync(socketDir)
  const asRoot = userInfo().uid === 0
  if (asRoot) {
    chmodSync(root, 0o755)
    const pgUser = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
    const uid = Number(pgUser.stdout.trim())
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim())
    if (!Number.isInteger(uid) || pgUser.status !== 0) throw new Error("running as root but there is no `postgres` user: install Debian's postgresql package")
    chownSync(data, uid, gid)
    chownSync(socketDir, uid, gid)
  }
  const run = (cmd: string, args: string[]): void => {
    const full = asRoot ? (['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] as const) : ([join(bin, cmd), args] as const)
    const out = spawnSync(full[0], full[1], { encoding: 'utf8', cwd: root })
    if (out.status !== 0) throw new Error(`${cmd} failed (${out.status}): ${out.stderr || out.stdout}`)
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions'])
  // Durability stays on (fsync, synchronous_commit): the kill -9 tests rely on it.
  appendFileSync(
    join(data, 'postgresql.conf'),
    [`listen_addresses = ''`, `unix_socket_directories = '${socketDir}'`, 'max_connections = 400', 'shared_buffers = 64MB', ''].join('\n'),
  )
  run('pg_ctl', ['-D', data, '-l', join(data, 'server.log'), '-w', '-t', '60', 'start'])
  let stopped = false
  return {
    socketDir,
    dataDir: data,
    url: (name) => pgUrl(socketDir, name),
    stop: () => {
      if (stopped) return
      stopped = true
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    },
  }
}

/** Creates the empty database `name` on the cluster whose socket is in `socketDir`; returns its URL. */
export async function createDatabase(socketDir: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name must be lower-case letters, digits and _ (at most 63), got "${name}"`)
  const admin = new pg.Client({ connectionString: pgUrl(socketDir, 'postgres') })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  return pgUrl(socketDir, name)
}
