// `polyphony serve` / `npm start`: parse flags, start the server, stop gracefully.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'
import { isLoopback, parseServerConfig, SERVER_HELP } from '../server/config.ts'
import { startServer } from '../server/server.ts'
import { warmUp } from '../server/core/warmUp.ts'
import { warmUpServer } from './warmUpServer.ts'
import { ConflictWatch } from '../server/conflicts/ConflictWatch.ts'
import { createLogger } from '../server/logger.ts'
import type { DemoModel } from './demoAgents.ts'
import { DEFAULT_MODEL } from '../agents/llm/defaultModel.ts'
import { tracingRequested } from '../shared/telemetry/requested.ts'
import type { McpSessionAgentFactory } from '../server/mcp/McpSessions.ts'
import { DEMO_WORKSPACE, demoBootstrap, demoTokens, seedDemoContent, storedDemoTokens, type DemoTokens } from './demo.ts'

const here = dirname(fileURLToPath(import.meta.url))
// From source (app/serve.ts) the client build is dist/client; compiled (dist/app/serve.js) it is beside.
const clientDir = import.meta.url.endsWith('.ts') ? join(here, '..', 'dist', 'client') : join(here, '..', 'client')

// What only some servers use is imported when first used: the agents SDK and the MCP SDK behind
// /mcp sessions, the demo's agents, the OpenTelemetry SDK. Loaded at start they made up ~30 MB
// of a plain server's resident memory before its first client (docs/benchmarks.md, base RSS).
const mcpSessionAgent: McpSessionAgentFactory = async (session) => (await import('./mcpSessionAgent.ts')).mcpSessionAgent(session)

export async function main(argv: string[]): Promise<void> {
  const parsed = parseServerConfig(argv, process.env)
  if (!parsed.ok) {
    if (parsed.help) return void console.log(SERVER_HELP)
    console.error(parsed.error)
    process.exitCode = 2
    return
  }
  const config = parsed.config
  const logger = createLogger(config.logLevel)
  // OTEL_EXPORTER_OTLP_ENDPOINT (the standard variable) turns traces on; unset, tracing costs nothing.
  const tracing = tracingRequested(process.env) ? (await import('../shared/telemetry/node.ts')).startTracing({ serviceName: 'polyphony-server' }) : null
  if (tracing) logger.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'exporting traces over OTLP')
  if (config.demo && !isLoopback(config.host)) {
    // Only reachable with --allow-demo-on-network (parseServerConfig refuses otherwise).
    logger.warn(
      { host: config.host },
      'DEMO MODE ON A NETWORK ADDRESS: the demo tokens (admin included) are printed and stored in plain text; anyone who can reach this address and read them has full access',
    )
  }
  const tokens = config.demo ? demoTokens(config.dataDir) : null
  // With a model key the demo's arbiter asks the model; without one it is the heuristic rule, labelled as such.
  const model: DemoModel | undefined = process.env.ANTHROPIC_API_KEY
    ? { apiKey: process.env.ANTHROPIC_API_KEY, baseURL: process.env.ANTHROPIC_BASE_URL, model: DEFAULT_MODEL }
    : undefined
  let bootstrap: unknown
  if (config.bootstrapFile) {
    try {
      bootstrap = JSON.parse(readFileSync(config.bootstrapFile, 'utf8'))
    } catch (err) {
      console.error(`cannot read bootstrap file ${config.bootstrapFile}: ${(err as Error).message}`)
      process.exitCode = 2
      return
    }
  }
  // The first client after a restart should not pay for compiling the sync path (server/core/warmUp.ts).
  await warmUp(
    new ConflictWatch(
      'warm-up/shared',
      async () => {},
      () => {},
    ),
  )
  await warmUpServer(logger)
  const server = await startServer({
    port: config.port,
    host: config.host,
    dataDir: config.dataDir,
    database: config.database,
    instanceId: config.instanceId,
    cluster: config.cluster,
    adminToken: config.adminToken ?? tokens?.admin,
    disabledTokens: config.demo ? [] : storedDemoTokens(config.dataDir),
    bootstrap: tokens ? mergeBootstraps(demoBootstrap(tokens, { arbiterModel: model !== undefined }), bootstrap) : bootstrap,
    logger,
    limits: config.limits,
    httpLimits: config.httpLimits,
    clientDir,
    mcpAgent: mcpSessionAgent,
  })
  const stops: Array<() => Promise<void>> = []
  if (tokens) {
    await seedDemoContent(server)
    // Best effort: the demo's task and conflict are a show, never a reason not to serve (a
    // bootstrap may replace a demo principal's token, as the test cast does for alice and bob).
    const { seedDemoActivity } = await import('./demoActivity.ts')
    await seedDemoActivity(server, tokens).catch((err: unknown) => logger.warn({ err: (err as Error)?.message }, 'demo activity not seeded'))
    if (config.agents) stops.push(await (await import('./demoAgents.ts')).startDemoAgents(server, tokens, model))
    console.log(demoBanner(server.url, tokens, config.dataDir))
  }
  logger.info({ url: server.url }, 'polyphony listening')

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: flushing rooms')
    for (const s of stops) await s().catch(() => {})
    await server.close()
    await tracing?.shutdown().catch(() => {})
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

function mergeBootstraps(a: { principals: unknown[]; workspaces: unknown[] }, b: unknown) {
  if (!b || typeof b !== 'object') return a
  const extra = b as { principals?: unknown[]; workspaces?: unknown[] }
  return { principals: [...a.principals, ...(extra.principals ?? [])], workspaces: [...a.workspaces, ...(extra.workspaces ?? [])] }
}

/** What `--demo` prints at start: links, tokens and where the data really lives (absolute path). */
export function demoBanner(url: string, tokens: DemoTokens, dataDir: string): string {
  const data = resolve(dataDir)
  const lines = [
    '',
    `  Polyphony demo is running at ${url}`,
    '',
    `  Open as Alice:  ${url}/#token=${tokens.alice}`,
    `  Open as Bob:    ${url}/#token=${tokens.bob}`,
    '',
    `  Tokens (local demo mode only; kept in ${join(data, 'demo-tokens.json')}):`,
    ...Object.entries(tokens).map(([who, t]) => `    ${who.padEnd(18)} ${t}`),
    '',
    `  Data directory: ${data}`,
    `  Workspace: ${DEMO_WORKSPACE}   Stop with Ctrl-C.`,
    '',
  ]
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
