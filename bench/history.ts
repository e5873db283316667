// What history costs on one busy document: `npx tsx bench/history.ts [edits]`. A stock client
// makes `edits` small edits (inserts and deletes, 3 writers by turns) to one document through a
// real server on SQLite, with a requested version every edits/10; then prints the time of the
// history reads over HTTP and the size of the versions. Figures in docs/history.md.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { startServer } from '../server/server.ts'
import { createLogger } from '../server/logger.ts'
import { createDocument, documentText } from '../shared/documents.ts'

const EDITS = Number(process.argv[2] ?? 3000)
const dir = mkdtempSync(join(tmpdir(), 'polyphony-history-bench-'))
const tokens = ['alice', 'bob', 'carol'].map((id) => ({ id, token: `pp_bench_${id}_token_0123456789abcdef` }))
const server = await startServer({
  port: 0,
  dataDir: dir,
  logger: createLogger('silent'),
  history: { idleMs: 600_000 },
  bootstrap: {
    principals: tokens.map(({ id, token }) => ({ id, kind: 'human', name: id, token })),
    workspaces: [{ id: 'bench', title: 'Bench', visibility: 'team', members: Object.fromEntries(tokens.map(({ id }) => [id, 'editor'])) }],
  },
})
const url = `http://127.0.0.1:${server.port}`
const http = async (method: string, path: string, body?: unknown) => {
  const started = performance.now()
  const res = await fetch(url + '/api/workspaces/bench' + path, {
    method,
    headers: { authorization: `Bearer ${tokens[0].token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const json = (await res.json()) as Record<string, unknown>
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return { json, ms: performance.now() - started }
}

const writers = tokens.map(({ token }) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}/sync`, 'bench/shared', doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
  })
  return { doc, provider }
})
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5))
}
await until(() => writers.every((w) => w.provider.synced))
const id = createDocument(writers[0].doc, 'Busy', 'Lorem ipsum dolor sit amet. '.repeat(100))
const room = await server.core.room('bench/shared')
const serverText = () => documentText(room.doc, id)?.toString()
let seed = 7
const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
const versionMs: number[] = []
for (let i = 0; i < EDITS; i++) {
  const w = writers[i % writers.length]
  const text = documentText(w.doc, id)
  if (!text) {
    await until(() => documentText(w.doc, id) !== null)
    i--
    continue
  }
  if (rand(3) === 0 && text.length > 10) text.delete(rand(text.length - 5), 1 + rand(4))
  else text.insert(rand(text.length), 'word ')
  if ((i + 1) % Math.max(1, Math.floor(EDITS / 10)) === 0) {
    await until(() => writers.every((x) => documentText(x.doc, id)?.toString() === serverText()))
    versionMs.push((await http('POST', `/docs/${id}/versions`, { label: `after ${i + 1}` })).ms)
  }
}
await until(() => writers.every((w) => documentText(w.doc, id)?.toString() === serverText()))
const list = await http('GET', `/docs/${id}/versions`)
const versions = list.json.versions as Array<{ n: number; bytes: number }>
const textAt = await http('GET', `/docs/${id}/versions/1`)
const diff = await http('GET', `/docs/${id}/diff?from=1`)
const blame = await http('GET', `/docs/${id}/blame`)
const restore = await http('POST', `/docs/${id}/restore`, { version: 1 })
const exported = await http('GET', '/export')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  JSON.stringify(
    {
      edits: EDITS,
      textChars: serverText()?.length,
      roomUpdateBytes: Y.encodeStateAsUpdate(room.doc).length,
      versions: versions.length,
      snapshotBytes: { min: Math.min(...versions.map((v) => v.bytes)), max: Math.max(...versions.map((v) => v.bytes)) },
      ms: {
        takeVersionMedian: +median(versionMs).toFixed(1),
        list: +list.ms.toFixed(1),
        textAtVersion: +textAt.ms.toFixed(1),
        diffToCurrent: +diff.ms.toFixed(1),
        blame: +blame.ms.toFixed(1),
        restore: +restore.ms.toFixed(1),
        export: +exported.ms.toFixed(1),
      },
      diffSpans: (diff.json.spans as unknown[]).length,
      blameRuns: (blame.json.runs as unknown[]).length,
      restoreEdits: restore.json.edits,
    },
    null,
    2,
  ),
)
for (const w of writers) w.provider.destroy()
await server.close()
rmSync(dir, { recursive: true, force: true })
process.exit(0)
