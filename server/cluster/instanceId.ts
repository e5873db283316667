// Names of server instances: stored in Postgres rows (room owners, leases) and shown in logs.

import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'

/** Short and plain: letters, digits, '.', '_', '-'. */
export const INSTANCE_ID = /^[A-Za-z0-9._-]{1,100}$/

/** Null if `id` can name an instance, else how to fix it. */
export function instanceIdProblem(id: string): string | null {
  return INSTANCE_ID.test(id) ? null : `--instance-id must be 1 to 100 letters, digits, '.', '_' or '-', got "${id.slice(0, 100)}"`
}

/**
 * `<hostname>-<pid>-<random>`: unique per process even when a restarted container reuses its
 * hostname and pid (two live instances with one id would take each other's rooms back and forth).
 */
export function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 60) || 'host'
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`
}
