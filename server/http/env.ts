// Typed per-request values set by middleware (`c.get('principal')`).

import type { Logger } from 'pino'
import type { Principal } from '../../shared/model.ts'
import type { HttpLimits } from './limits.ts'

export interface ApiEnv {
  Variables: {
    requestId: string
    log: Logger
    /** The server's HTTP limits (JSON depth, ...), set by requestContext. */
    httpLimits: HttpLimits
    /** Set by requireAuth on authenticated routes. */
    principal: Principal
  }
}
