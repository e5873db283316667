// startTestServer(): a real Polyphony server on port 0 with a temp data dir and a fixed
// cast of principals, torn down after the test file.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, type RunningServer, type ServerOptions } from '../../server/server.ts'
import { createLogger } from '../../server/logger.ts'
import { mcpSessionAgent } from '../../app/mcpSessionAgent.ts'
import type { Role, Visibility } from '../../shared/model.ts'

export const ADMIN_TOKEN = 'pp_test_admin_token_0123456789abcdef'

/** Test principals: `token(id)` gives each one's token. */
export const CAST = {
  alice: { kind: 'human', role: 'owner' },
  bob: { kind: 'human', role: 'editor' },
  rita: { kind: 'human', role: 'reviewer' },
  vic: { kind: 'human', role: 'viewer' },
  'agent-a': { kind: 'agent', role: 'editor' },
  'agent-b': { kind: 'agent', role: 'editor' },
  'agent-c': { kind: 'agent', role: 'editor' },
  outsider: { kind: 'human', role: null },
} as const satisfies Record<string, { kind: 'human' | 'agent'; role: Role | null }>

export type CastMember = keyof typeof CAST

export const token = (id: string): string => `pp_test_${id}_token_0123456789abcdef`

/** Workspaces of the fixture: one per namespace visibility. */
export const WORKSPACES: Record<string, Visibility> = { w1: 'private', team: 'team', blind: 'blind-until-submitted' }

export function testBootstrap() {
  const members = Object.fromEntries(
    Object.entries(CAST)
      .filter(([, v]) => v.role !== null)
      .map(([id, v]) => [id, v.role as Role]),
  )
  return {
    principals: Object.entries(CAST).map(([id, v]) => ({ id, kind: v.kind, name: id, token: token(id) })),
    workspaces: Object.entries(WORKSPACES).map(([id, visibility]) => ({ id, title: `Workspace ${id}`, visibility, members })),
  }
}

export interface TestServer extends RunningServer {
  dataDir: string
  /** Stops the server (flushing) without deleting its data, for restart tests. */
  stop(): Promise<void>
  /** Starts a new server on the same data directory and the same port (clients reconnect). */
  restart(): Promise<TestServer>
}

export async function startTestServer(opts: Partial<ServerOptions> & { dataDir?: string } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'polyphony-test-'))
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    bootstrap: testBootstrap(),
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    mcpAgent: mcpSessionAgent,
    ...opts,
    dataDir,
  })
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await server.close()
  }
  return {
    ...server,
    dataDir,
    stop,
    close: async () => {
      await stop()
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
    restart: async () => {
      await stop()
      return startTestServer({ ...opts, dataDir, port: server.port })
    },
  }
}
