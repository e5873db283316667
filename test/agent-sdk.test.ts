// [agents] The headless SDK: edit, annotate, status, durable flush, offline work, idempotence.

import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { synced } from './helpers/clients.ts'
import { tempStoreDir } from './helpers/agents.ts'
import { waitFor, until } from './helpers/wait.ts'
import * as Y from 'yjs'

const t = useHarness()

const attach = (id: string, opts = {}) => t.agent(id, opts)
const watch = async (room: string, who: string) => {
  const c = t.stock(room, who)
  await synced(c)
  return c
}

const TEXT = 'Studies show that agents are always faster. The design took months of discussion before it was chosen.'

describe('agent SDK', () => {
  it('edits shared text and annotates its own namespace; others see both as access allows', async () => {
    await t.start()
    const agent = await attach('agent-a')
    agent.createDocument('draft', TEXT)
    const r = agent.annotate('draft', { quote: 'always faster' }, { label: 'overclaim', comment: 'Always? Evidence?' })
    expect(r.created).toBe(true)
    await agent.flushed()

    const alice = await watch('w1/shared', 'alice')
    await waitFor(() => alice.doc.getMap('docs').get('draft')?.toString() === TEXT, 'shared text at alice')
    // alice owns w1: she may read the agent's namespace; bob (editor, private workspace) may not.
    const ns = await watch('w1/ns/agent-a', 'alice')
    const stored = ns.doc.getMap('annotations').get(r.id) as { body: { label: string }; target: { quote: { exact: string } } }
    expect(stored.body.label).toBe('overclaim')
    expect(stored.target.quote.exact).toBe('always faster')
    const bob = t.stock('w1/ns/agent-a', 'bob')
    await until(bob.provider, 'connection-close', () => bob.closes.length > 0, 'bob refused')
    expect(bob.closes[0].code).toBe(4403)
  })

  it('writes are idempotent: the same annotation twice is stored once', async () => {
    await t.start()
    const agent = await attach('agent-a')
    agent.createDocument('draft', TEXT)
    const body = { label: 'vague', comment: 'Which studies?' }
    const first = agent.annotate('draft', { quote: 'Studies show' }, body)
    const again = agent.annotate('draft', { quote: 'Studies show' }, body)
    expect(again).toEqual({ id: first.id, created: false })
    expect(agent.annotations('draft')).toHaveLength(1)
  })

  it('publishes status through awareness so people see it', async () => {
    await t.start()
    const agent = await attach('agent-a', { role: 'fact-checker' })
    const alice = await watch('w1/shared', 'alice')
    agent.setStatus('thinking', 'checking claims in draft', 'draft')
    await waitFor(() => {
      const state = alice.provider.awareness.getStates().get(agent.shared.clientID) as
        { user: { name: string; kind: string; role: string }; status: { state: string; detail: string } } | undefined
      return state?.status?.state === 'thinking' && state.user.role === 'fact-checker' && state.user.kind === 'agent'
    }, 'agent status at alice')
  })

  it('keeps working while the server is down and delivers everything when it returns', async () => {
    let server = await t.start()
    const storeDir = tempStoreDir()
    const agent = await attach('agent-a', { storeDir })
    agent.createDocument('draft', TEXT)
    await agent.flushed()
    await server.stop()
    await until([agent.sharedSync, agent.namespaceSync], 'state', () => agent.connection === 'offline', 'agent to notice the outage')
    agent.edit('draft', (t) => t.insert(0, 'OFFLINE EDIT. '))
    for (let i = 0; i < 20; i++) agent.note(`offline note ${i}`, 'draft')
    const flushed = agent.flushed()
    const outageEnded = Date.now()
    server = await server.restart()
    await flushed
    const reconnectMs = Date.now() - outageEnded
    console.log(`[agents] reconnect-to-durable after server restart: ${reconnectMs} ms`)
    const room = await server.core.room('w1/shared')
    expect((room.doc.getMap('docs').get('draft') as Y.Text).toString()).toBe('OFFLINE EDIT. ' + TEXT)
    const ns = await server.core.room('w1/ns/agent-a')
    expect(ns.doc.getMap('notes').size).toBe(20)
  })

  it('an agent process killed and restarted with the same storeDir resumes without duplicates', async () => {
    const server = await t.start()
    const owner = await attach('agent-b')
    owner.createDocument('draft', TEXT)
    await owner.flushed()
    const storeDir = tempStoreDir()
    const runChild = (mode: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/agentChild.ts', server.url, token('agent-a'), storeDir, mode], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        let out = ''
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          // Killed hard as soon as it says its work is durable: no graceful close.
          if (mode === 'annotate' && out.includes('flushed')) child.kill('SIGKILL')
        })
        child.on('exit', (code) => resolve({ code, out }))
      })
    const first = await runChild('annotate')
    expect(first.out).toContain('created 3')
    const second = await runChild('annotate-close')
    expect(second.out).toContain('created 0')
    const ns = await server.core.room('w1/ns/agent-a')
    expect(ns.doc.getMap('annotations').size).toBe(3)
  })

  it('is refused with a clear error when not a member', async () => {
    await t.start()
    await expect(t.agent('outsider')).rejects.toThrow(/not a member of workspace w1/)
  })
})
