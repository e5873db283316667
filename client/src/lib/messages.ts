// What to tell a person about each failure: what happened and what to do next.
// Pure functions so wording is decided in one place.

import { CLOSE } from '../../../shared/wire/index.ts'
import type { ApiErrorKind } from '../../../shared/api/index.ts'

export interface Problem {
  title: string
  detail: string
  /** Whether reconnecting automatically could fix it. */
  transient: boolean
}

export function describeApiError(kind: ApiErrorKind, serverMessage: string, what = 'the server'): Problem {
  switch (kind) {
    case 'unauthenticated':
      return {
        title: 'Token not accepted',
        detail: 'The server did not recognise this token. Check that you pasted all of it, or ask a workspace owner for a new invite link.',
        transient: false,
      }
    case 'forbidden':
      return {
        title: 'No access',
        detail: `You are not allowed to open ${what} (${serverMessage}). Ask a workspace owner to add you.`,
        transient: false,
      }
    case 'conflict':
      return { title: 'Already changed', detail: `Someone else acted first (${serverMessage}). The view shows the current state.`, transient: false }
    case 'not-found':
      return { title: 'Not found', detail: `${what} does not exist (${serverMessage}). Check the link.`, transient: false }
    case 'unreachable':
      return {
        title: 'Server unreachable',
        detail:
          'Polyphony could not reach the server. Check your connection or that the server is running. Documents you opened before stay available offline and sync when it is back.',
        transient: true,
      }
    case 'server':
      return { title: 'Server error', detail: `The server failed (${serverMessage}). Try again in a moment.`, transient: true }
  }
}

/** Explains a final WebSocket close (isFinalClose); null for the transient ones, which reconnecting handles silently. */
export function describeClose(code: number, reason: string, room: string): Problem | null {
  const because = reason ? ` The server said: “${reason}”.` : ''
  switch (code) {
    case CLOSE.unauthenticated:
      return {
        title: 'Signed out',
        detail: `The server no longer accepts your token.${because} Sign in again with a valid token.`,
        transient: false,
      }
    case CLOSE.forbidden:
      return { title: 'No access', detail: `You may not open ${room}.${because} Ask a workspace owner for access.`, transient: false }
    case CLOSE.notFound:
      return { title: 'Not found', detail: `${room} does not exist.${because}`, transient: false }
    case CLOSE.unsupportedData:
    case CLOSE.invalidPayload:
    case CLOSE.policyViolation:
    case CLOSE.messageTooBig:
      return {
        title: 'Change refused',
        detail: `The server refused a message from this tab${code === CLOSE.messageTooBig ? ' because it was too large' : ''}.${because} Your edits are kept in this browser; undo the last large change, then press Reconnect.`,
        transient: false,
      }
    default:
      return null
  }
}
