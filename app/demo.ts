// The demo workspace `npm start` serves: a person, two built-in reviewer agents, a sample
// document. Tokens are generated once and kept in <data>/demo-tokens.json so they stay
// valid across restarts; they are printed at start because this is local dev mode.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateToken } from '../server/registry/tokens.ts'
import type { RunningServer } from '../server/server.ts'
import { SERVER_PRINCIPAL } from '../shared/model.ts'
import { createDocument, docsMap } from '../shared/documents.ts'

export const DEMO_WORKSPACE = 'demo'

export interface DemoTokens {
  admin: string
  alice: string
  bob: string
  'clarity-reviewer': string
  'claims-reviewer': string
  arbiter: string
}

const tokensFile = (dataDir: string) => join(dataDir, 'demo-tokens.json')

/**
 * The demo tokens a data directory was once served with (none if it never was). A start
 * without --demo disables them, so the printed, well-known demo tokens stay local dev only.
 */
export function storedDemoTokens(dataDir: string): string[] {
  const file = tokensFile(dataDir)
  if (!existsSync(file)) return []
  return Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>).filter((t): t is string => typeof t === 'string')
}

export function demoTokens(dataDir: string): DemoTokens {
  const file = tokensFile(dataDir)
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoTokens>) : {}
  const names = ['admin', 'alice', 'bob', 'clarity-reviewer', 'claims-reviewer', 'arbiter'] as const
  // A data directory from an older demo keeps its tokens and gains the ones added since.
  if (names.every((name) => typeof stored[name] === 'string')) return stored as DemoTokens
  const tokens = Object.fromEntries(names.map((name) => [name, stored[name] ?? generateToken()])) as unknown as DemoTokens
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(file, JSON.stringify(tokens, null, 2), { mode: 0o600 })
  return tokens
}

/** `arbiterModel`: the demo arbiter asks a model (a key is configured); its name says which it is. */
export function demoBootstrap(tokens: DemoTokens, opts: { arbiterModel?: boolean } = {}) {
  return {
    principals: [
      { id: 'alice', kind: 'human' as const, name: 'Alice', token: tokens.alice },
      { id: 'bob', kind: 'human' as const, name: 'Bob', token: tokens.bob },
      { id: 'clarity-reviewer', kind: 'agent' as const, name: 'Clarity (built-in heuristic)', token: tokens['clarity-reviewer'] },
      { id: 'claims-reviewer', kind: 'agent' as const, name: 'Claims (built-in heuristic)', token: tokens['claims-reviewer'] },
      { id: 'arbiter', kind: 'agent' as const, name: opts.arbiterModel ? 'Arbiter (model)' : 'Arbiter (built-in heuristic)', token: tokens.arbiter },
    ],
    workspaces: [
      {
        id: DEMO_WORKSPACE,
        title: 'Demo: a launch announcement',
        visibility: 'team' as const,
        members: { alice: 'owner' as const, bob: 'editor' as const, 'clarity-reviewer': 'editor' as const, 'claims-reviewer': 'editor' as const, arbiter: 'editor' as const },
      },
    ],
  }
}

// The first claim is read by both built-in reviewers (a long sentence with a repeated word; an
// uncited, absolute claim), so the Readings view shows a stretch they read differently.
const SAMPLE = `Polyphony launches today. Studies show that documents written by teams of agents are always finished faster than documents written by a single agent, and many experts agree it is clearly the future of writing.

The workspace was designed by the team over a period of several months in which a great number of ideas were considered, discussed, rejected and reconsidered before the current design, which keeps every reading of the text, was chosen.

Every edit is stored before it is acknowledged. Conflicts are detected and shown to a person, who decides.`

/** Writes the sample document once, through the durable path, as the server. */
export async function seedDemoContent(server: RunningServer): Promise<void> {
  const room = await server.core.room(`${DEMO_WORKSPACE}/shared`)
  if (docsMap(room.doc).size > 0) return
  await room.writeAsServer(SERVER_PRINCIPAL, 'demo content', (doc) => {
    doc.getMap('meta').set('title', 'Demo: a launch announcement')
    doc.getMap('meta').set('schemaVersion', 1)
    // Id `announcement` (what the demo agents and links use), shown as its title.
    createDocument(doc, 'Launch announcement', SAMPLE, 'announcement')
  })
}
