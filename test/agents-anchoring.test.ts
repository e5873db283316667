// [agents] Re-anchoring through the server: agent-a annotates while bob (a stock y-websocket
// client) edits the same text concurrently; from bob's replica every annotation resolves
// exactly on its words. After bob rewrites a whole paragraph, an annotation re-anchors by its
// quote or is reported orphaned, never silently moved elsewhere.

import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Agent } from '../agents/index.ts'
import { resolveAnchor } from '../shared/anchoring/index.ts'
import { parseAnnotation, type Annotation } from '../shared/annotations.ts'
import { useHarness } from './helpers/harness.ts'
import { synced, type StockClient } from './helpers/clients.ts'
import { waitFor } from './helpers/wait.ts'
import { PARAGRAPH_1, PARAGRAPH_3, REVIEW_DOC, REVIEW_TEXT } from './fixtures/agents-text.ts'

const t = useHarness()

const QUOTES = ['always faster', 'in order to reduce', 'error rates', 'Most experts agree']

/** agent-a and bob on workspace `team` (so bob may read agent-a's namespace), both synced on the text. */
async function setup() {
  await t.start()
  const agent = await t.agent('agent-a', { workspace: 'team' })
  agent.createDocument(REVIEW_DOC, REVIEW_TEXT)
  await agent.flushed()
  const bob = t.stock('team/shared', 'bob')
  const bobNs = t.stock('team/ns/agent-a', 'bob')
  await synced(bob, bobNs)
  const bobText = () => bob.doc.getMap('docs').get(REVIEW_DOC) as Y.Text
  await waitFor(() => bobText()?.toString() === REVIEW_TEXT, 'the text at bob')
  return { agent, bob, bobNs, bobText }
}

/** The annotations as bob's replica of agent-a's namespace holds them. */
function annotationsAt(ns: StockClient): Annotation[] {
  return [...ns.doc.getMap('annotations').values()].map((v) => parseAnnotation(v)).filter((a): a is Annotation => a !== null)
}

function annotateAll(agent: Agent, quotes: string[]): string[] {
  return quotes.map((quote) => agent.annotate(REVIEW_DOC, { quote }, { label: 'check', comment: `About "${quote}"` }).id)
}

/** Bob goes offline, `edit`s, agent-a annotates meanwhile, bob comes back; both replicas converge. */
async function concurrently(ctx: Awaited<ReturnType<typeof setup>>, edit: (t: Y.Text) => void, quotes: string[]) {
  const { agent, bob, bobNs, bobText } = ctx
  bob.provider.disconnect()
  bobNs.provider.disconnect()
  Y.transact(bob.doc, () => edit(bobText()))
  const ids = annotateAll(agent, quotes)
  await agent.flushed()
  bob.provider.connect()
  bobNs.provider.connect()
  await waitFor(() => annotationsAt(bobNs).length === ids.length, 'the annotations at bob')
  await waitFor(() => agent.read(REVIEW_DOC) === bobText().toString(), 'both replicas to converge')
  return ids
}

function expectExact(text: Y.Text, annotations: Annotation[]) {
  for (const a of annotations) {
    const r = resolveAnchor(text, a.target)
    expect(r, a.target.quote.exact).toMatchObject({ status: 'exact' })
    if (r.status === 'orphaned') continue
    expect(text.toString().slice(r.start, r.end)).toBe(a.target.quote.exact)
  }
}

describe('annotations under concurrent edits by others', () => {
  it('stay exactly on their words after edits before, around, inside-far and after them', async () => {
    const ctx = await setup()
    await concurrently(
      ctx,
      (t) => {
        const s = t.toString()
        // Work from the end so earlier offsets stay valid.
        t.insert(s.length, '\n\nP.S. Comments welcome.') // after everything
        t.delete(s.indexOf(' along the way'), ' along the way'.length) // far, in paragraph 2
        t.insert(s.indexOf(' than the old one'), ' (really)') // right after "always faster"
        t.insert(s.indexOf('always faster'), 'nearly ') // right before it
        t.insert(s.indexOf('our new'), 'as of today, ') // before, same sentence
        t.insert(0, 'DRAFT — ') // start of the document
      },
      QUOTES,
    )
    const text = ctx.bobText().toString()
    expect(text).toContain('is nearly always faster (really) than')
    const annotations = annotationsAt(ctx.bobNs)
    expect(annotations.map((a) => a.target.quote.exact).sort()).toEqual([...QUOTES].sort())
    expectExact(ctx.bobText(), annotations)
    // agent-a's own replica places them at the same offsets.
    for (const a of annotations) expect(resolveAnchor(ctx.agent.text(REVIEW_DOC), a.target)).toEqual(resolveAnchor(ctx.bobText(), a.target))
  })

  it('stay exactly on their words under seeded random concurrent edits around them', async () => {
    const seed = Number(process.env.AGENTS_ANCHOR_SEED ?? Date.now() % 1_000_000)
    console.log(`[agents-anchoring] seed ${seed} (replay with AGENTS_ANCHOR_SEED=${seed})`)
    const rnd = mulberry32(seed)
    const ctx = await setup()
    await concurrently(
      ctx,
      (t) => {
        for (let i = 0; i < 60; i++) {
          const s = t.toString()
          const spans = QUOTES.map((q) => [s.indexOf(q), s.indexOf(q) + q.length] as const)
          const at = Math.floor(rnd() * (s.length + 1))
          if (rnd() < 0.6) {
            // Inserting at a span's first or last boundary is allowed: it must stay outside.
            if (spans.some(([a, b]) => at > a && at < b)) continue
            t.insert(at, ' xyz'.slice(0, 1 + Math.floor(rnd() * 4)))
          } else {
            const len = 1 + Math.floor(rnd() * 6)
            if (at + len > s.length || spans.some(([a, b]) => at < b && at + len > a)) continue
            t.delete(at, len)
          }
        }
      },
      QUOTES,
    )
    expectExact(ctx.bobText(), annotationsAt(ctx.bobNs))
  })
})

describe('annotations after a paragraph is rewritten', () => {
  it('re-anchor by quote where the words survive, and are reported orphaned where they do not', async () => {
    const ctx = await setup()
    const { agent, bobNs, bobText } = ctx
    annotateAll(agent, QUOTES)
    await agent.flushed()
    await waitFor(() => annotationsAt(bobNs).length === QUOTES.length, 'the annotations at bob')
    // bob replaces the first paragraph wholesale (delete + insert: every old item is gone).
    const rewritten = 'Benchmarks suggest the new scheduler is always faster than the old one on batch jobs. A small team built it to cut latency for users.'
    const t = bobText()
    Y.transact(ctx.bob.doc, () => {
      t.delete(0, PARAGRAPH_1.length)
      t.insert(0, rewritten)
    })
    await waitFor(() => agent.read(REVIEW_DOC).startsWith('Benchmarks suggest'), 'the rewrite at agent-a')

    const byQuote = new Map(annotationsAt(bobNs).map((a) => [a.target.quote.exact, a]))
    const now = t.toString()
    const moved = resolveAnchor(t, byQuote.get('always faster')!.target)
    expect(moved).toMatchObject({ status: 'fuzzy', start: now.indexOf('always faster'), end: now.indexOf('always faster') + 'always faster'.length })
    expect(resolveAnchor(t, byQuote.get('in order to reduce')!.target)).toEqual({ status: 'orphaned', reason: 'not-found' })
    // Untouched paragraphs keep exact anchors.
    expect(resolveAnchor(t, byQuote.get('error rates')!.target)).toMatchObject({ status: 'exact' })
    const experts = resolveAnchor(t, byQuote.get('Most experts agree')!.target)
    expect(experts).toMatchObject({ status: 'exact', start: now.indexOf(PARAGRAPH_3) })
  })

  it('are reported orphaned (not moved) when the rewrite leaves the words ambiguous', async () => {
    const ctx = await setup()
    const { agent, bobNs, bobText } = ctx
    annotateAll(agent, ['always faster'])
    await agent.flushed()
    await waitFor(() => annotationsAt(bobNs).length === 1, 'the annotation at bob')
    const t = bobText()
    // The quote now occurs twice, in contexts unlike the original: no place is clearly right.
    Y.transact(ctx.bob.doc, () => {
      t.delete(0, PARAGRAPH_1.length)
      t.insert(0, 'Reads: always faster. Writes: always faster.')
    })
    await waitFor(() => agent.read(REVIEW_DOC).startsWith('Reads:'), 'the rewrite at agent-a')
    const r = resolveAnchor(t, annotationsAt(bobNs)[0]!.target)
    expect(r.status).toBe('orphaned')
  })
})

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
