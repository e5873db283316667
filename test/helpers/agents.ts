// Agents attached with the real SDK to a test server.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAgent, type ConnectAgentOptions } from '../../agents/index.ts'
import type { Agent } from '../../agents/index.ts'
import { token } from './server.ts'

export function tempStoreDir(): string {
  return mkdtempSync(join(tmpdir(), 'polyphony-agent-'))
}

export function connectTestAgent(server: { url: string }, id: string, opts: Partial<ConnectAgentOptions> = {}): Promise<Agent> {
  return connectAgent({ url: server.url, workspace: 'w1', token: token(id), role: 'reviewer', ...opts })
}
