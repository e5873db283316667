// Assembles one Polyphony server: database, storage, registry, sync core, HTTP + WebSocket.
// Everything is constructed from options, so tests can run several servers in one process.

import { serve, type ServerType } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { openDatabase, type Database } from './db.ts'
// Not the barrels: they re-export the Postgres backends, imported only with --database (below).
import type { DocumentStorage } from './storage/DocumentStorage.ts'
import { MemoryStorage } from './storage/MemoryStorage.ts'
import { SqliteStorage } from './storage/SqliteStorage.ts'
import { shouldCompact } from './storage/compaction.ts'
import type { Registry } from './registry/Registry.ts'
import { SqliteRegistry } from './registry/SqliteRegistry.ts'
import { RegistryEffects } from './registryEffects.ts'
import { SyncCore } from './core/SyncCore.ts'
import type { Limits } from './core/limits.ts'
import { ServerMetrics } from './metrics.ts'
import { createLogger } from './logger.ts'
import { createApp } from './http/app.ts'
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/limits.ts'
import { EventStreams } from './http/EventStreams.ts'
import { AuthFailures } from './http/AuthFailures.ts'
import { reviewRoutes } from './http/routes/review.ts'
import { conflictRoutes } from './http/routes/conflicts.ts'
import { proposalRoutes } from './http/routes/proposals.ts'
import { settingsRoutes } from './http/routes/settings.ts'
import { documentRoutes } from './http/routes/documents.ts'
import { DocumentActivity } from './docs/activity.ts'
import { parseRoom } from '../shared/rooms.ts'
import { ConflictBudget, ConflictService, DEFAULT_CONFLICT_BUDGET, openConflictStores, type ConflictBudgetLimits } from './conflicts/index.ts'
import { readingsSummary } from './review/readingsSummary.ts'
import { moveLegacyReviewRooms } from './review/moveLegacyReviewRooms.ts'
import { attachSync, closeSockets, type RoomRoute } from './ws/attachSync.ts'
import { AgentReports, Coordinator } from './coord/index.ts'
import { openCoordStores } from './coord/openCoordStores.ts'
import { taskRoutes } from './http/routes/tasks.ts'
import { McpSessions, type McpSessionAgentFactory, type McpSessionLimits } from './mcp/McpSessions.ts'
import { mcpRoutes } from './mcp/routes.ts'
import { VersionService, type HistoryOptions } from './history/VersionService.ts'
import { openHistoryStores } from './history/openHistoryStores.ts'
import { historyRoutes } from './http/routes/history.ts'
import { HistoryReads } from './http/HistoryReads.ts'
import type { ClusterOptions, PostgresCluster } from './cluster/postgresCluster.ts'
import { defaultInstanceId } from './cluster/instanceId.ts'
import { routeByOwnership } from './cluster/routeByOwnership.ts'
import { forwardToOwner } from './cluster/forwardToOwner.ts'

/** The built-in administrator principal (enabled only while an admin token is configured). */
export const ADMIN_PRINCIPAL = 'admin'

export interface ServerOptions {
  port?: number
  host?: string
  /** Directory for polyphony.db; ':memory:' keeps everything in memory (tests only). */
  dataDir?: string
  /**
   * A postgres:// URL: every store (documents, registry, tasks and claims, agent reports, conflict
   * log, client owners, versions, client id owners) is in PostgreSQL, where several instances share
   * them; each room is owned by one instance at a time (server/cluster/).
   */
  database?: string
  /** This instance's name in Postgres rows and logs (default `<hostname>-<pid>-<random>`). */
  instanceId?: string
  /** Room ownership between instances (with `database`): lease length, advertised URL. */
  cluster?: ClusterOptions
  /**
   * Token of the built-in administrator principal `admin`, created or updated at start.
   * Without one the administrator is disabled (its stored token no longer authenticates).
   */
  adminToken?: string
  /**
   * Tokens that must not authenticate in this run, removed from whoever holds them before the
   * server listens: the demo's tokens when the same data directory is served without --demo.
   */
  disabledTokens?: string[]
  /** Declarative principals and workspaces, applied idempotently at start. */
  bootstrap?: unknown
  limits?: Partial<Limits>
  /** HTTP edge bounds: body size, JSON depth, event streams, failed authentications. */
  httpLimits?: Partial<HttpLimits>
  /** New conflict records one principal may cause per room per window (stale-write floods). */
  conflictBudget?: Partial<ConflictBudgetLimits>
  /** Version history: idle time before a version, versions kept per room. */
  history?: Partial<HistoryOptions>
  /** Clock for the failed-authentication and conflict-budget windows (tests). */
  now?: () => number
  logger?: Logger
  /** Directory of the built client to serve at `/`. */
  clientDir?: string
  /** Streamable HTTP MCP sessions at /mcp (per-principal cap, idle expiry). */
  mcp?: Partial<McpSessionLimits>
  /** Attaches the agent behind each /mcp session (app/mcpSessionAgent.ts); without it /mcp answers 503. */
  mcpAgent?: McpSessionAgentFactory
  /**
   * Where each room's sockets are served when several servers share one database: here, or
   * relayed to the instance that owns the room (server/cluster/). Absent: every room is served here.
   */
  roomRoute?: (room: string) => Promise<RoomRoute>
}

export interface RunningServer {
  url: string
  wsUrl: string
  port: number
  db: Database
  instanceId: string
  /** The PostgreSQL side (with `database`): pool, notifications, lease, document storage. */
  postgres: PostgresCluster | null
  registry: Registry
  core: SyncCore
  storage: DocumentStorage
  /** Tasks, leases, claim log; emits 'claimRace' and 'entry' (server/coord/). */
  coord: Coordinator
  /** The operational conflict log; emits 'conflict' (server/conflicts/). */
  conflicts: ConflictService
  /** Open SSE streams (capped; closed on revocation and removal). */
  streams: EventStreams
  /** Streamable HTTP MCP sessions at /mcp (server/mcp/). */
  mcp: McpSessions
  /** Versions of shared rooms, client id ownership (server/history/). */
  versions: VersionService
  metrics: ServerMetrics
  logger: Logger
  /** Flushes every room to storage, closes sockets and the database. */
  close(): Promise<void>
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger()
  const inMemory = opts.dataDir === ':memory:'
  const instanceId = opts.instanceId ?? defaultInstanceId()
  const postgres = opts.database
    ? await (await import('./cluster/postgresCluster.ts')).openPostgresCluster({ url: opts.database, instanceId, cluster: opts.cluster, logger })
    : null
  // On Postgres every store lives there: no polyphony.db file is created (an empty one beside the
  // real data would only mislead whoever backs up or inspects --data).
  const db = openDatabase(inMemory || postgres ? ':memory:' : join(opts.dataDir ?? 'data', 'polyphony.db'))
  // Group commit: one transaction (one fsync) per event-loop turn across all rooms.
  const storage: DocumentStorage = postgres ? postgres.documents : inMemory ? new MemoryStorage() : new SqliteStorage(db)
  const registry: Registry = postgres
    ? await (await import('./registry/PostgresRegistry.ts')).PostgresRegistry.open({ db: postgres.db, notifications: postgres.notifications, instanceId, logger })
    : new SqliteRegistry(db)
  // Through the same op path as any write: idempotent, so instances starting together agree.
  if (opts.adminToken) {
    await registry.applyBootstrap({ principals: [{ id: ADMIN_PRINCIPAL, kind: 'service', name: 'Administrator', admin: true, token: opts.adminToken }] })
  } else if (await registry.clearToken(ADMIN_PRINCIPAL)) {
    logger.warn('no administrator token given (POLYPHONY_ADMIN_TOKEN): the admin principal is disabled for this run')
  }
  if (opts.bootstrap) {
    const started = performance.now()
    const result = await registry.applyBootstrap(opts.bootstrap)
    logger.info({ ...result, ms: Math.round(performance.now() - started) }, 'bootstrap applied')
  }
  if (opts.disabledTokens?.length) {
    const disabled = await registry.clearTokens(opts.disabledTokens)
    if (disabled.length > 0) logger.warn({ principals: disabled }, 'demo tokens disabled: this data directory is served without --demo')
  }
  const metrics = new ServerMetrics()
  const budget = new ConflictBudget({ ...DEFAULT_CONFLICT_BUDGET, ...opts.conflictBudget }, opts.now)
  const conflicts = new ConflictService({ ...(await openConflictStores(db, postgres)), metrics, logger, budget })
  // Documents' last changes for the REST list, observed from each shared room's load.
  const activity = new DocumentActivity()
  const versions = new VersionService({
    ...(await openHistoryStores(db, postgres, opts.history?.maxVersionsPerRoom)),
    storage,
    logger,
    now: opts.now,
    history: opts.history,
  })
  const core = new SyncCore({
    storage,
    metrics,
    logger,
    limits: opts.limits,
    shouldCompact,
    extensionFor: conflicts.extensionFor,
    onRoomLoaded: (room, doc) => {
      if (parseRoom(room)?.kind === 'shared') activity.observe(room, doc)
    },
    historyFor: versions.historyFor,
  })
  conflicts.attach(core)
  postgres?.lease.onLost(() => core.loseRooms("this instance's lease lapsed"))
  versions.attach(core)
  await moveLegacyReviewRooms({ storage, core, logger })
  const coordStores = await openCoordStores(db, postgres, logger)
  const coord = new Coordinator({ store: coordStores.tasks, room: (name) => core.room(name), metrics, logger })
  coord.on('claimRace', (race) => conflicts.onClaimRace(race))
  await coord.start()
  const httpLimits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...opts.httpLimits }
  const streams = new EventStreams(httpLimits)
  metrics.observe({ core: () => core.load(), eventStreams: () => streams.count })
  const authFailures = new AuthFailures(httpLimits, opts.now)
  const effects = new RegistryEffects({ registry, core, streams })
  const deps = { registry, core, metrics, logger, httpLimits, streams, effects }
  // MCP sessions are agents that connect back to this server; its URL is known after listen.
  let selfUrl = ''
  const mcp = new McpSessions({ selfUrl: () => selfUrl, logger, limits: opts.mcp, agentFor: opts.mcpAgent })
  const app = createApp({
    ...deps,
    authFailures,
    clientDir: opts.clientDir,
    ownerForwarding: postgres ? forwardToOwner({ logger }) : undefined,
    extraRoutes: [
      {
        path: '/workspaces',
        routes: taskRoutes({
          registry,
          coord,
          reports: new AgentReports(coordStores.reports, metrics),
          storage,
          metrics,
          readings: (ws, viewer) => readingsSummary(deps, ws, viewer),
        }),
      },
      { path: '/workspaces', routes: reviewRoutes({ ...deps, conflicts }) },
      { path: '/workspaces', routes: conflictRoutes({ ...deps, conflicts }) },
      { path: '/workspaces', routes: proposalRoutes({ ...deps, conflicts }) },
      { path: '/workspaces', routes: settingsRoutes(deps) },
      { path: '/workspaces', routes: documentRoutes(deps, activity) },
      { path: '/workspaces', routes: historyRoutes({ ...deps, versions, conflicts, tasks: coord.store, reads: new HistoryReads(httpLimits, opts.now) }) },
    ],
    topRoutes: [{ path: '/mcp', routes: mcpRoutes({ registry, httpLimits, authFailures, sessions: mcp }) }],
  })

  const http = await listen(app.fetch, opts.port ?? 8080, opts.host ?? '127.0.0.1')
  const wss = attachSync(http as Server, {
    core,
    metrics,
    logger,
    authFailures,
    isRevokedToken: (token) => registry.isRevokedToken(token),
    route: opts.roomRoute ?? (postgres ? routeByOwnership(core) : undefined),
    // Only a replicated registry can be behind; on SQLite a refusal stays synchronous.
    ...(postgres ? { refreshAccess: () => registry.refresh() } : {}),
    access: {
      authenticate: (token) => registry.authenticate(token),
      visibility: (id) => registry.visibility(id),
      roleOf: (ws, p) => registry.roleOf(ws, p),
      isSubmitted: (ws, p) => registry.isSubmitted(ws, p),
      colorOf: (ws, p) => registry.colorOf(ws, p),
    },
  })
  const port = (http.address() as AddressInfo).port
  const host = opts.host ?? '127.0.0.1'
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  selfUrl = `http://${shown}:${port}`
  await postgres?.lease.advertise(opts.cluster?.advertiseUrl ?? selfUrl)
  let closing: Promise<void> | null = null
  return {
    url: `http://${shown}:${port}`,
    wsUrl: `ws://${shown}:${port}/sync`,
    port,
    db,
    instanceId,
    postgres,
    registry,
    core,
    storage,
    coord,
    conflicts,
    streams,
    mcp,
    versions,
    metrics,
    logger,
    close: () =>
      (closing ??= (async () => {
        await mcp.closeAll()
        await coord.close()
        streams.closeWhere(() => true, 'server shutting down')
        await core.close()
        versions.close()
        await closeSockets(wss, 2000)
        await new Promise<void>((resolve) => {
          http.close(() => resolve())
          ;(http as Server).closeAllConnections?.()
        })
        await storage.close()
        await registry.close()
        await coordStores.reports.close()
        await postgres?.close()
        db.close()
      })()),
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server))
    server.once('error', reject)
  })
}
