// WebSocket close codes the server uses, and the one rule every client follows: after which
// of them reconnecting is pointless until a person acts (a new token, access, a smaller change).

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooManyRooms: 4429,
  /** Same code as tooManyRooms: a per-principal or per-address cap (sockets, failed sign-ins). */
  tooManyRequests: 4429,
  slowReader: 4508, // 45xx: transient, stock clients reconnect and resync
  /** The room's owner instance changed or cannot be reached (several servers): reconnect. */
  roomMoved: 4512,
} as const

/**
 * Closes that the same client would get again on reconnecting: who it is (4401, 4403, 4404) or
 * what it sends (1003, 1007, 1008, 1009: its unsent changes go out again on every reconnect).
 * Everything else is transient: shutdown (1001), a failed store or load (1011), the server or a
 * per-principal cap being full (1013, 4429: frees up as sockets close), a slow reader (4508), a
 * room that moved to another instance (4512), a
 * lost network (1006) and any code this list does not know.
 */
const FINAL: ReadonlySet<number> = new Set([
  CLOSE.unauthenticated,
  CLOSE.forbidden,
  CLOSE.notFound,
  CLOSE.unsupportedData,
  CLOSE.invalidPayload,
  CLOSE.policyViolation,
  CLOSE.messageTooBig,
])

/** Whether a client must stop retrying after the server closed its socket with `code`. */
export function isFinalClose(code: number): boolean {
  return FINAL.has(code)
}
