// [history] Full import: an export of a workspace with documents, readings, review decisions,
// replies, a promoted note and tasks, imported into an empty workspace with `polyphony import`,
// exports the same again; hostile files (oversized, malformed, clashing or dangling ids, strangers'
// namespaces) and non-empty targets are refused whole, with a message, and leave nothing behind.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectTestAgent } from './helpers/agents.ts'
import { httpJson } from './helpers/http.ts'
import { cleanEnv, killAllCli, runCli } from './fixtures/agents-process.ts'
import type { Agent } from '../agents/index.ts'
import { importCommand } from '../app/cli/importCommand.ts'

let server: TestServer
const agents: Agent[] = []
const dirs: string[] = []
afterEach(async () => {
  await killAllCli()
  for (const a of agents.splice(0)) a.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  await server?.close()
})

interface Export {
  documents: Array<{ id: string; title: string; text: string }>
  promotedNotes: Array<{ id: string }>
  namespaces: Array<{
    owner: string
    annotations: Array<{ id: string; target: { quote: { exact: string }; snapshot?: string } }>
    proposals: Array<{ id: string; target: { snapshot?: string } }>
    notes: Array<{ id: string }>
    review: { decisions: Record<string, unknown>; replies: Record<string, unknown[]>; proposals: Record<string, { status: string; applied?: unknown }> }
  }>
  tasks: Array<{ id: string; title: string; status: string; dependsOn: string[]; owner: string | null; result: unknown }>
  conflicts: unknown[]
}

const api = <T>(who: string, ws: string, method: string, path: string, body?: unknown) =>
  httpJson<T & { error?: { message: string } }>(`${server.url}/api/workspaces/${ws}${path}`, { method, token: token(who), body })
const ok = async <T>(who: string, ws: string, method: string, path: string, body?: unknown): Promise<T> => {
  const res = await api<T>(who, ws, method, path, body)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}

/** What a round trip must keep: everything but times of export and the source's Yjs bookkeeping. */
const comparable = (e: Export) => ({
  documents: e.documents,
  promotedNotes: e.promotedNotes,
  namespaces: e.namespaces
    .filter((n) => n.annotations.length + n.proposals.length + n.notes.length > 0)
    .map((n) => ({
      ...n,
      annotations: n.annotations.map(({ target: { snapshot: _s, ...target }, ...a }) => ({ ...a, target })),
      proposals: n.proposals.map(({ target: { snapshot: _s, ...target }, ...p }) => ({ ...p, target })),
      review: { ...n.review, proposals: Object.fromEntries(Object.entries(n.review.proposals).map(([k, { applied: _a, ...d }]) => [k, d])) },
    })),
  tasks: e.tasks.map(({ id, title, status, dependsOn, owner, result }) => ({ id, title, status, dependsOn, owner, result })),
})

async function seed(): Promise<Export> {
  const a = await connectTestAgent(server, 'agent-a')
  agents.push(a)
  a.createDocument('report', 'Revenue grew 40% last year. Support answers within one hour.')
  const note = a.annotate('report', { quote: 'grew 40%' }, { label: 'unsourced', comment: 'Source for 40%?' })
  const promoted = a.annotate('report', { quote: 'Support' }, { comment: 'Which team?' })
  const proposal = a.propose('report', { quote: 'within one hour' }, 'within one working day', 'One hour is not staffed.')
  a.note('Overall: figures need sources.', 'report')
  await a.flushed()
  await ok('alice', 'w1', 'POST', `/annotations/agent-a/${note.id}/keep`)
  await ok('alice', 'w1', 'POST', `/annotations/agent-a/${note.id}/reply`, { text: 'Finance has it.' })
  await ok('alice', 'w1', 'POST', `/annotations/agent-a/${promoted.id}/promote`)
  await ok('alice', 'w1', 'POST', `/proposals/agent-a/${proposal.id}/accept`)
  await ok('alice', 'w1', 'POST', '/tasks', { id: 'check-figures', title: 'Check the figures' })
  await ok('alice', 'w1', 'POST', '/tasks', { id: 'publish', title: 'Publish', dependsOn: ['check-figures'] })
  const claim = await ok<{ fencingToken: number }>('agent-a', 'w1', 'POST', '/tasks/check-figures/claim')
  await ok('agent-a', 'w1', 'POST', '/tasks/check-figures/complete', { fencingToken: claim.fencingToken, result: { checked: 3 } })
  return ok<Export>('alice', 'w1', 'GET', '/export')
}

describe('workspace import (full)', () => {
  it('polyphony import reproduces documents, readings, decisions, replies, notes and tasks in an empty workspace', async () => {
    server = await startTestServer({ history: { idleMs: 600_000 } })
    const exported = await seed()
    const ns = exported.namespaces.find((n) => n.owner === 'agent-a')!
    expect(ns.annotations).toHaveLength(2)
    expect(Object.keys(ns.review.replies)).toHaveLength(1)
    expect(exported.promotedNotes).toHaveLength(1)
    // Anchors' recorded snapshots read this server's history: an export leaves them out.
    expect(JSON.stringify(exported)).not.toContain('"snapshot"')
    expect(exported.tasks.find((t) => t.id === 'check-figures')).toMatchObject({ status: 'done', owner: 'agent-a', result: { checked: 3 } })

    const dir = mkdtempSync(join(tmpdir(), 'polyphony-import-'))
    dirs.push(dir)
    const file = join(dir, 'w1.json')
    writeFileSync(file, JSON.stringify(exported))
    const run = runCli(['import', 'team', '--server', server.url, '--file', file], { env: cleanEnv({ POLYPHONY_TOKEN: token('alice') }) })
    const exit = await run.exited
    expect(exit.code, run.stderr.join('\n')).toBe(0)
    expect(run.stdout.join('\n')).toMatch(/imported into team: 1 documents, 1 promotedNotes, \d+ namespaces, 2 annotations, 1 proposals, 1 notes, 3 decisions, 1 replies, 2 tasks/)

    const again = await ok<Export>('alice', 'team', 'GET', '/export')
    expect(comparable(again)).toEqual(comparable(exported))
    // The board (the task room the server reflects into) shows the imported tasks too.
    expect((await ok<{ tasks: Array<{ id: string; status: string }> }>('bob', 'team', 'GET', '/tasks')).tasks.map((t) => [t.id, t.status])).toEqual([
      ['check-figures', 'done'],
      ['publish', 'open'],
    ])
    // A second import is refused: the workspace is no longer empty.
    const second = await api('alice', 'team', 'POST', '/import', exported)
    expect(second.status).toBe(409)
    expect(second.json.error?.message).toMatch(/new or empty workspace/)
  })

  it('refuses hostile files and non-empty targets whole, writing nothing', async () => {
    server = await startTestServer({ history: { idleMs: 600_000 }, httpLimits: { maxBodyBytes: 8 * 1024 * 1024 } })
    const exported = await seed()
    const ns = exported.namespaces.find((n) => n.owner === 'agent-a')!
    const withNs = (change: Partial<Export['namespaces'][number]>) => ({
      ...exported,
      namespaces: exported.namespaces.map((n) => (n.owner === 'agent-a' ? { ...n, ...change } : n)),
    })
    const cases: Array<[string, unknown, RegExp]> = [
      ['malformed', '{"format": "polyphony-workspace-export", "documents": [', /JSON/i],
      ['not an export', { ...exported, format: 'zip' }, /not a Polyphony export/],
      ['oversized', { ...exported, documents: Array.from({ length: 1001 }, (_, i) => ({ id: `d${i}`, title: 't', text: '' })) }, /at most 1000 documents/],
      ['clashing annotation ids', withNs({ annotations: [...ns.annotations, ns.annotations[0]] }), /appears twice/],
      ['clashing task ids', { ...exported, tasks: [...exported.tasks, exported.tasks[0]] }, /task id check-figures appears twice/],
      ['another author', withNs({ notes: [{ ...ns.notes[0], author: 'alice' } as never] }), /names another author/],
      [
        'dangling decision',
        withNs({ review: { ...ns.review, decisions: { 'agent-a/a-missing': { action: 'keep', by: 'alice', at: 1 } } } }),
        /not an annotation of this namespace/,
      ],
      ['dangling document', { ...exported, documents: [] }, /which the import does not contain/],
      ['dangling dependency', { ...exported, tasks: exported.tasks.filter((t) => t.id !== 'check-figures') }, /depends on check-figures/],
      [
        'a stranger’s namespace',
        {
          ...exported,
          namespaces: [...exported.namespaces, { ...ns, owner: 'mallory', annotations: [], proposals: [], notes: [], review: { decisions: {}, replies: {}, proposals: {} } }],
        },
        /not members of team/,
      ],
    ]
    for (const [name, body, message] of cases) {
      const res = await api('alice', 'team', 'POST', '/import', body)
      expect(res.status, name).toBe(400)
      expect(res.json.error?.message, name).toMatch(message)
    }
    const empty = await ok<Export>('alice', 'team', 'GET', '/export')
    expect(empty.documents).toEqual([])
    expect(empty.tasks).toEqual([])
    expect(empty.namespaces.every((n) => n.annotations.length + n.proposals.length + n.notes.length === 0)).toBe(true)

    // A target with tasks already is not empty: refused whole (its documents stay absent).
    await ok('alice', 'team', 'POST', '/tasks', { id: 'existing', title: 'Already here' })
    const busy = await api('alice', 'team', 'POST', '/import', exported)
    expect(busy.status).toBe(409)
    expect(busy.json.error?.message).toMatch(/already has tasks/)
    expect((await ok<Export>('alice', 'team', 'GET', '/export')).documents).toEqual([])

    // The CLI from stdin: the server's message, exit 1; no export at all: exit 2 with help.
    const errors: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void errors.push(args.join(' '))
    try {
      const env = { POLYPHONY_TOKEN: token('alice'), POLYPHONY_URL: server.url }
      expect(await importCommand(['team'], env, [JSON.stringify(exported)])).toBe(1)
      expect(errors.join('\n')).toMatch(/import into team failed \(409\): workspace team already has tasks/)
      expect(await importCommand(['team'], env, [])).toBe(2)
      expect(errors.join('\n')).toMatch(/no export given/)
    } finally {
      console.error = original
    }
  })
})
