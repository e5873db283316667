// What `polyphony agent` (app/cli/) exits with, and which failures are worth retrying: the one place
// that classifies them. The supervisor restarts only retryable exits; the help lists the codes.

import { ApiRequestError } from '../shared/api/index.ts'
import { isFinalClose } from '../shared/wire/index.ts'

export const EXIT = {
  /** Done; with --once everything written is durable on the server. */
  ok: 0,
  /** A retryable failure (server unreachable without a local copy, a crash): try again later. */
  error: 1,
  /** Bad flags or team file: fix the command. */
  usage: 2,
  /** --once ran from the local copy; changes wait in --store and sync on the next online run. */
  offline: 3,
  /** Token refused or revoked, no access to the workspace, workspace unknown, or a write the server refuses (isFinalClose): retrying cannot help. */
  fatal: 4,
} as const

export const EXIT_CODES_HELP = `Exit codes:
  0  done (with --once: everything written is durable on the server)
  1  retryable failure (e.g. server unreachable and no --store copy yet)
  2  usage error (bad flags)
  3  offline: reviewed the local copy; changes wait in --store and sync on the next online run
  4  fatal: token refused or revoked, no access to the workspace, or a change the server refuses (never restarted by polyphony team)`

export type FailureClass = { kind: 'fatal' | 'retryable'; message: string }

/** Classifies an attach or sync failure; `fatal` means a person must fix a token, a membership or what the agent wrote. */
export function classifyFailure(err: unknown): FailureClass {
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof ApiRequestError) {
    if (err.status === 401) return { kind: 'fatal', message: `the token was refused (revoked or unknown): ${message}` }
    if (err.status === 403 || err.status === 404) return { kind: 'fatal', message: `no access to the workspace: ${message}` }
    return { kind: 'retryable', message }
  }
  const code = /closed with (\d{4})|\b(44\d\d)\b/.exec(message)
  if (code && isFinalClose(Number(code[1] ?? code[2]))) return { kind: 'fatal', message }
  if (/access to .* denied/.test(message)) return { kind: 'fatal', message }
  return { kind: 'retryable', message }
}

/** Whether the supervisor should restart a member that exited with `code`. */
export function isRetryableExit(code: number | null): boolean {
  return code !== EXIT.fatal && code !== EXIT.usage
}
