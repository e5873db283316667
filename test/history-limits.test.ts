// [history] Expensive history reads (text at a version, diff, blame, as read, export) are rate-limited per
// principal: a burst, then a steady rate; beyond it 429 with Retry-After and a message saying when
// to retry. Cheap reads (the version list) and other principals are not affected. Hand-driven clock.

import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, token, type TestServer } from './helpers/server.ts'
import { connectStock, synced, type StockClient } from './helpers/clients.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'
import { createDocument, documentText } from '../shared/documents.ts'
import * as Y from 'yjs'
import * as buffer from 'lib0/buffer'

let server: TestServer
const stock: StockClient[] = []
afterEach(async () => {
  for (const c of stock.splice(0)) c.destroy()
  await server?.close()
})

type Answer = { error?: { code: string; message: string } }
/** A path, or a path and the body to POST. */
type Read = string | [string, unknown]
const get = (who: string, read: Read) =>
  typeof read === 'string'
    ? httpJson<Answer>(server.url + '/api/workspaces/w1' + read, { token: token(who) })
    : httpJson<Answer>(server.url + '/api/workspaces/w1' + read[0], { token: token(who), method: 'POST', body: read[1] })

describe('history read rate limit', () => {
  it('a principal gets 429 with Retry-After after its burst, others still read, and it reads again after the wait', async () => {
    let now = 1_000_000
    server = await startTestServer({ now: () => now, httpLimits: { historyReadBurst: 5, historyReadsPerMinute: 6 } })
    const alice = connectStock(server.wsUrl, 'w1/shared', 'alice')
    stock.push(alice)
    await synced(alice)
    const id = createDocument(alice.doc, 'Plan', 'Hello')
    await waitFor(async () => documentText((await server.core.room('w1/shared')).doc, id)?.toString() === 'Hello', 'the document on the server')
    const made = await httpJson(server.url + `/api/workspaces/w1/docs/${id}/versions`, { method: 'POST', token: token('alice'), body: {} })
    expect(made.status).toBe(201)

    const snapshot = buffer.toBase64(Y.encodeSnapshotV2(Y.snapshot(alice.doc)))
    const expensive: Read[] = [`/docs/${id}/versions/1`, `/docs/${id}/diff?from=1`, `/docs/${id}/blame`, [`/docs/${id}/as-read`, { snapshot }], '/export']
    for (const read of expensive) expect((await get('bob', read)).status, String(read)).toBe(200)
    for (const read of expensive) {
      const refused = await get('bob', read)
      expect(refused.status, String(read)).toBe(429)
      expect(refused.json.error?.code).toBe('too_many_history_reads')
      // 6 a minute: one read every 10 s.
      expect(refused.headers['retry-after']).toBe('10')
      expect(refused.json.error?.message).toMatch(/retry in 10 s/)
    }
    // The list of versions is cheap and not counted; another principal has its own bucket.
    expect((await get('bob', `/docs/${id}/versions`)).status).toBe(200)
    expect((await get('rita', `/docs/${id}/blame`)).status).toBe(200)

    // Refused reads cost nothing: after exactly Retry-After one more read is allowed, then not.
    now += 10_000
    expect((await get('bob', `/docs/${id}/blame`)).status).toBe(200)
    expect((await get('bob', `/docs/${id}/blame`)).status).toBe(429)
  })
})
