// What the read paths cost as a workspace grows ([perf] #18): `npx tsx bench/divergences.ts
// [--sizes 10000,100000,1000000] [--histories 10000,100000,1000000] [--runs 5]`.
// For each document size, one workspace gets a shared document of that many characters, 20
// readings of it in each of three namespaces (alice, bob, carol), and then a stored history that
// grows through each length in --histories (attribution-log entries: 80 % in the shared room,
// the rest in the namespaces, by the three members, over the last 24 h). The history is
// written straight through the storage port (SqliteStorage.append in batches of 10,000, then
// compact, as the server's own compaction leaves it: data folded into one snapshot, every
// entry's attribution kept), with the server stopped; the server (in-process, real SQLite in a
// temporary directory, auth on) is then started on that data and each read is timed over HTTP:
//   /divergences  first request after start (loads the rooms), then recomputed (a write to the
//                 tasks room moves the readings cache key before each run), then cached
//   /metrics      team metrics, default range (24 h) with minute and hourly buckets
//   versions, blame, conflicts, docs list
// Prints one markdown table (medians of --runs requests; ms). Bounded: sizes ≤ 1,000,000 chars,
// histories ≤ 1,000,000 entries, runs ≤ 20.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { helpIfAsked } from './usage.ts'
import * as Y from 'yjs'
import { startServer, type RunningServer } from '../server/server.ts'
import { createLogger } from '../server/logger.ts'
import { openDatabase } from '../server/db.ts'
import { SqliteStorage, type UpdateMeta } from '../server/storage/index.ts'
import { createDocument, documentText } from '../shared/documents.ts'
import { makeAnnotation } from '../shared/annotations.ts'
import { createAnchor } from '../shared/anchoring/index.ts'
import { namespaceRoom, sharedRoom, tasksRoom } from '../shared/rooms.ts'
import { SERVER_PRINCIPAL } from '../shared/model.ts'
import { median } from './stats.ts'

helpIfAsked(
  'usage: npx tsx bench/divergences.ts [--sizes 10000,100000,1000000] [--histories 10000,100000,1000000] [--runs 5]\nRead-path latency (divergences, team metrics, versions, blame, conflicts, docs) against document size and history length; sizes and histories at most 1,000,000, runs at most 20.',
)
const { values } = parseArgs({ options: { sizes: { type: 'string' }, histories: { type: 'string' }, runs: { type: 'string' } } })
const list = (s: string | undefined, fallback: number[], max: number, what: string): number[] => {
  const xs = s ? s.split(',').map(Number) : fallback
  if (xs.some((x) => !Number.isSafeInteger(x) || x < 1 || x > max)) throw new RangeError(`--${what}: comma-separated integers from 1 to ${max}`)
  return xs
}
const SIZES = list(values.sizes, [10_000, 100_000, 1_000_000], 1_000_000, 'sizes')
const HISTORIES = list(values.histories, [10_000, 100_000, 1_000_000], 1_000_000, 'histories').sort((a, b) => a - b)
const RUNS = list(values.runs, [5], 20, 'runs')[0]

const WS = 'bench'
const MEMBERS = ['alice', 'bob', 'carol']
const READINGS = 20
const BATCH = 10_000
const DAY = 86_400_000
const tokens = new Map(MEMBERS.map((id) => [id, `pp_bench_${id}_token_0123456789abcdef`]))
const progress = (msg: string) => process.stderr.write(`[bench divergences ${new Date().toISOString().slice(11, 19)}] ${msg}\n`)

/** `chars` characters of words (so quotes are distinctive enough to place). */
function prose(chars: number): string {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']
  let seed = 11
  const parts: string[] = []
  let n = 0
  while (n < chars) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    const w = words[seed % words.length] + (seed % 7 === 0 ? '. ' : ' ')
    parts.push(w)
    n += w.length
  }
  return parts.join('').slice(0, chars)
}

/** The workspace's first state: the shared document and each member's readings of it, as room updates. */
function initialRooms(chars: number): { docId: string; rooms: Map<string, { update: Uint8Array; clients: number[]; principal: string }> } {
  const shared = new Y.Doc()
  shared.clientID = 1001
  const docId = createDocument(shared, 'Bench', prose(chars))
  const text = documentText(shared, docId)!
  const rooms = new Map([[sharedRoom(WS), { update: Y.encodeStateAsUpdate(shared), clients: [shared.clientID], principal: MEMBERS[0] }]])
  MEMBERS.forEach((owner, m) => {
    const ns = new Y.Doc()
    ns.clientID = 2001 + m
    const map = ns.getMap('annotations')
    for (let i = 0; i < READINGS; i++) {
      const start = Math.floor(((i + 0.5 + m / 7) / READINGS) * (text.length - 60))
      const a = makeAnnotation({
        author: owner,
        doc: docId,
        target: createAnchor(text, start, start + 40),
        body: { comment: `reading ${i} by ${owner}`, label: i % 2 ? 'tone' : 'claim' },
        createdAt: Date.now(),
      })
      map.set(a.id, a)
    }
    rooms.set(namespaceRoom(WS, owner), { update: Y.encodeStateAsUpdate(ns), clients: [ns.clientID], principal: owner })
  })
  return { docId, rooms }
}

const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc())

/** Appends entries until the workspace history holds `total` (the first state counts), then folds every room into one snapshot. */
async function growHistory(dir: string, initial: ReturnType<typeof initialRooms>, from: number, total: number, now: number): Promise<void> {
  const db = openDatabase(join(dir, 'polyphony.db'))
  const storage = new SqliteStorage(db)
  try {
    const roomNames = [...initial.rooms.keys()]
    if (from === 0) {
      for (const [room, r] of initial.rooms) await storage.append(room, [{ principal: r.principal, clients: r.clients, at: Date.now() - DAY + 1000, data: r.update }])
      from = roomNames.length
    }
    for (let written = from; written < total;) {
      const n = Math.min(BATCH, total - written)
      const byRoom = new Map<string, Array<UpdateMeta & { data: Uint8Array }>>()
      for (let i = 0; i < n; i++) {
        const k = written + i
        // 80 % shared, the rest spread over the namespaces (each written by its owner).
        const m = k % MEMBERS.length
        const room = k % 5 === 0 ? namespaceRoom(WS, MEMBERS[m]) : sharedRoom(WS)
        const r = initial.rooms.get(room)!
        const principal = room === sharedRoom(WS) ? MEMBERS[m] : r.principal
        // Over the last 24 h in arrival order, as the server's receive times are: entry k of the
        // longest history at k/longest of the day (a shorter history is the start of it).
        const at = now - DAY + 2000 + (k / HISTORIES.at(-1)!) * (DAY - 4000)
        const entry = { principal, clients: r.clients, at: Math.floor(at), data: EMPTY_UPDATE }
        if (!byRoom.has(room)) byRoom.set(room, [])
        byRoom.get(room)!.push(entry)
      }
      await Promise.all([...byRoom].map(([room, entries]) => storage.append(room, entries)))
      written += n
    }
    for (const room of roomNames) {
      const state = await storage.load(room)
      const doc = new Y.Doc({ gc: false })
      if (state.snapshot) Y.applyUpdate(doc, state.snapshot)
      for (const u of state.updates) Y.applyUpdate(doc, u.data)
      const last = state.updates.at(-1)?.seq
      if (last !== undefined) await storage.compact(room, Y.encodeStateAsUpdate(doc), last)
    }
  } finally {
    await storage.close()
    db.close()
  }
}

async function start(dir: string): Promise<RunningServer> {
  return startServer({
    port: 0,
    dataDir: dir,
    logger: createLogger('silent'),
    history: { idleMs: 600_000 },
    // Every read below is timed; none may be refused for the rate of history reads.
    httpLimits: { historyReadBurst: 1000, historyReadsPerMinute: 60_000 },
    bootstrap: {
      principals: MEMBERS.map((id) => ({ id, kind: 'human' as const, name: id, token: tokens.get(id)! })),
      workspaces: [{ id: WS, title: 'Bench', visibility: 'team' as const, members: Object.fromEntries(MEMBERS.map((id) => [id, 'editor' as const])) }],
    },
  })
}

async function timed(server: RunningServer, path: string, as = MEMBERS[0]): Promise<number> {
  const started = performance.now()
  const res = await fetch(`http://127.0.0.1:${server.port}/api/workspaces/${WS}${path}`, { headers: { authorization: `Bearer ${tokens.get(as)}` } })
  const body = await res.text()
  const ms = performance.now() - started
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 300)}`)
  return ms
}

async function medianOf(runs: number, fn: (i: number) => Promise<number>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push(await fn(i))
  return median(times)
}

const COLUMNS = ['divergences first', 'divergences recomputed', 'divergences cached', 'metrics (min)', 'metrics (hour)', 'versions', 'blame', 'conflicts', 'docs'] as const
const rows: string[] = []
for (const chars of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'polyphony-readscale-'))
  try {
    const initial = initialRooms(chars)
    let stored = 0
    const now = Date.now()
    for (const history of HISTORIES) {
      const filling = performance.now()
      await growHistory(dir, initial, stored, history, now)
      stored = history
      progress(`${chars} chars: history ${history} written in ${((performance.now() - filling) / 1000).toFixed(1)} s`)
      const server = await start(dir)
      try {
        const doc = `/divergences?doc=${initial.docId}`
        const first = await timed(server, doc)
        const tasks = await server.core.room(tasksRoom(WS))
        const recomputed = await medianOf(RUNS, async (i) => {
          await tasks.writeAsServer(SERVER_PRINCIPAL, 'bench', (d) => d.getMap('bench').set('n', i))
          return timed(server, doc)
        })
        const cached = await medianOf(RUNS, () => timed(server, doc))
        const cells = [
          first,
          recomputed,
          cached,
          await medianOf(RUNS, () => timed(server, '/metrics')),
          await medianOf(RUNS, () => timed(server, '/metrics?bucketMs=3600000')),
          await medianOf(RUNS, () => timed(server, `/docs/${initial.docId}/versions`)),
          await medianOf(RUNS, () => timed(server, `/docs/${initial.docId}/blame`)),
          await medianOf(RUNS, () => timed(server, '/conflicts')),
          await medianOf(RUNS, () => timed(server, '/docs')),
        ]
        rows.push(`| ${chars.toLocaleString('en')} | ${history.toLocaleString('en')} | ${cells.map((c) => c.toFixed(1)).join(' | ')} |`)
        progress(rows.at(-1)!)
      } finally {
        await server.close()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
console.log(`| document chars | stored updates | ${COLUMNS.join(' | ')} |`)
console.log(`|--:|--:|${COLUMNS.map(() => '--:').join('|')}|`)
for (const r of rows) console.log(r)
