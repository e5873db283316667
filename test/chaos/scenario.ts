// Shared steps of the in-process chaos scenarios: a test server the harness tears down,
// the seeded documents, and the end-of-scenario durability check across a restart.

import * as Y from 'yjs'
import { expect } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import type { Agent } from '../../agents/index.ts'
import type { ServerOptions } from '../../server/server.ts'
import { CONTESTED_DOC, CONTESTED_TEXT } from './contested.ts'
import { SHARED, type ChaosHarness } from './harness.ts'
import { docText, tokenDiff } from './workload.ts'
import { describeConflicts, type ScenarioOutcome } from './expectedConflicts.ts'

export const DRAFT = 'draft'

/** A server on a harness-owned data dir; `current()` follows restarts. */
export async function chaosServer(h: ChaosHarness, opts: Partial<ServerOptions> = {}): Promise<{ current(): TestServer; restart(): Promise<TestServer> }> {
  let server = await startTestServer({ ...opts, dataDir: h.tempDir('data') })
  h.defer(() => server.close())
  return {
    current: () => server,
    restart: async () => (server = await server.restart()),
  }
}

export async function serverDoc(server: TestServer): Promise<Y.Doc> {
  return (await server.core.room(SHARED)).doc
}

/** The documents every scenario starts from, created by `agent` and durable before it returns. */
export async function seedDocuments(agent: Agent): Promise<void> {
  agent.createDocument(DRAFT)
  agent.createDocument(CONTESTED_DOC, CONTESTED_TEXT)
  await agent.flushed()
}

/** Root-map content without state vectors (a restarted server may add its own clock). */
export function content(doc: Y.Doc): string {
  return JSON.stringify({ docs: doc.getMap('docs').toJSON(), meta: doc.getMap('meta').toJSON() })
}

export function expectExactTokens(doc: Y.Doc, expected: Iterable<string>, where: string): void {
  const diff = tokenDiff(docText(doc, DRAFT), expected)
  expect(diff, `tokens at ${where}`).toEqual({ missing: [], extra: [], duplicates: [] })
}

/**
 * Every client is closed first, so nothing can re-upload: what the restarted server holds
 * came from its own storage. It must equal what the converged replicas held.
 */
export async function expectSurvivesRestart(
  srv: { current(): TestServer; restart(): Promise<TestServer> },
  closeClients: () => void,
  expectedContent: string,
  expectedTokens: Iterable<string>,
): Promise<void> {
  closeClients()
  const restarted = await srv.restart()
  const doc = await serverDoc(restarted)
  expect(content(doc)).toBe(expectedContent)
  expectExactTokens(doc, expectedTokens, 'the restarted server')
}

export function report(name: string, startedAt: number, outcome: ScenarioOutcome, extra: Record<string, unknown> = {}): void {
  const figures = Object.entries(extra).map(([k, v]) => `${k}=${String(v)}`)
  console.log(`[chaos] ${name}: ${Math.round(performance.now() - startedAt)} ms; ${figures.join(', ')}; expected conflicts: ${describeConflicts(outcome.expectedConflicts)}`)
}
