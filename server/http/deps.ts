// What the HTTP routes are built from. Constructed once per server in server/server.ts.

import type { Logger } from 'pino'
import type { Registry } from '../registry/index.ts'
import type { SyncCore } from '../core/SyncCore.ts'
import type { ServerMetrics } from '../metrics.ts'
import type { HttpLimits } from './limits.ts'
import type { EventStreams } from './EventStreams.ts'
import type { RegistryEffects } from '../registryEffects.ts'

export interface ApiDeps {
  registry: Registry
  core: SyncCore
  metrics: ServerMetrics
  logger: Logger
  httpLimits: HttpLimits
  /** Open SSE streams: closed with the sockets when a token is revoked or a member removed. */
  streams: EventStreams
  /** Closes the sockets and streams a registry change affects; routes report what it closed for their write. */
  effects: RegistryEffects
}
