// Typed per-request values set by middleware (`c.get('principal')`).

import type { Logger } from 'pino'
import type { Principal } from '../../shared/model.ts'

export interface ApiEnv {
  Variables: {
    requestId: string
    log: Logger
    /** Set by requireAuth on authenticated routes. */
    principal: Principal
  }
}
