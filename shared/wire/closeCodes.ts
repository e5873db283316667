// WebSocket close codes the server uses.

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
} as const
