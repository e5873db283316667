// Review tools: act on other namespaces' readings (keep, reply, promote annotations; accept or
// reject proposals) and on operational conflicts (list, resolve). The server decides who may;
// a refusal comes back with its message.

import * as z from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { defineTool, ok, ToolRefusal, type ToolContext } from '../context.ts'
import { docField, itemIdField, principalField } from '../inputs.ts'
import { conflictView } from '../views.ts'
import { PROPOSAL_LIMITS } from '../../../shared/conflicts/index.ts'
import { documentOfLocation } from '../../../shared/documents.ts'

const MAX_LIST = 50

export function registerReviewTools(server: McpServer, ctx: ToolContext): void {
  const { agent } = ctx
  const target = { owner: principalField, id: itemIdField.describe('annotation id (from read_readings)') }
  const reviewing = (detail: string) => () => ({ state: 'writing' as const, detail })

  defineTool(
    server,
    ctx,
    'keep_annotation',
    { description: "Marks another principal's annotation as kept.", input: target, status: reviewing('keeping an annotation') },
    async ({ owner, id }) => {
      const decision = await agent.keep(owner, id)
      return ok(`kept ${owner}/${id}`, { decision })
    },
  )

  defineTool(
    server,
    ctx,
    'reply_to_annotation',
    {
      description: 'Replies to an annotation (the same words again are the same reply).',
      input: { ...target, text: z.string().trim().min(1).max(4000) },
      status: reviewing('replying to an annotation'),
    },
    async ({ owner, id, text }) => {
      const reply = await agent.reply(owner, id, text)
      return ok(`replied to ${owner}/${id}`, { reply })
    },
  )

  defineTool(
    server,
    ctx,
    'promote_annotation',
    { description: "Copies an annotation into the shared document's notes (owners and editors).", input: target, status: reviewing('promoting an annotation') },
    async ({ owner, id }) => {
      const result = await agent.promote(owner, id)
      return ok(`promoted ${owner}/${id} to shared note ${result.note.id}`, { decision: result.decision, note: result.note.id })
    },
  )

  const proposal = { owner: principalField, id: itemIdField.describe('proposal id (from read_readings)') }
  defineTool(
    server,
    ctx,
    'accept_proposal',
    { description: 'Applies a proposed edit to the shared text as you (owners and editors).', input: proposal, status: reviewing('accepting a proposal') },
    async ({ owner, id }) => {
      const result = await agent.accept(owner, id)
      if (result.status === 'stale') throw new ToolRefusal(`not applied: ${result.message}`, { status: 'stale' })
      if (result.status === 'conflict') {
        throw new ToolRefusal(`not applied: ${result.message}; resolve conflict ${result.conflict} with resolve_conflict`, { status: 'conflict', conflict: result.conflict })
      }
      return ok(`accepted ${owner}/${id}`, { status: 'accepted', decision: result.decision })
    },
  )

  defineTool(server, ctx, 'reject_proposal', { description: 'Declines a proposed edit.', input: proposal, status: reviewing('rejecting a proposal') }, async ({ owner, id }) => {
    const decision = await agent.reject(owner, id)
    return ok(`rejected ${owner}/${id}`, { decision })
  })

  defineTool(
    server,
    ctx,
    'list_conflicts',
    {
      description: 'Operational conflicts (two writers overwrote each other) to resolve: open by default, optionally of one document.',
      input: { status: z.enum(['open', 'resolved', 'all']).default('open'), doc: docField.optional(), limit: z.number().int().min(1).max(MAX_LIST).default(20) },
      readOnly: true,
    },
    async ({ status, doc, limit }) => {
      const all = await agent.conflicts({ status, ...(doc ? { doc } : {}) })
      const titles = Object.fromEntries(
        all.flatMap((c) => [documentOfLocation(c.location)].filter((d) => d !== null)).map((d) => [d, agent.documentIdIfAny(d) ? agent.title(d) : d]),
      )
      const conflicts = all.slice(0, limit).map((c) => conflictView(c, titles))
      const lines = conflicts.map((c) => `${c.id} ${c.kind} ${JSON.stringify(c.where)}: ${c.parties.map((p) => `${p.principal}=${JSON.stringify(p.value)}`).join(' vs ')}`)
      return ok([`${all.length} ${status} conflicts${all.length > limit ? ` (first ${limit})` : ''}`, ...lines].join('\n'), { total: all.length, conflicts })
    },
  )

  defineTool(
    server,
    ctx,
    'resolve_conflict',
    {
      description: "Resolves a conflict by keeping one party's value (pick: their principal id) or writing a new value (owners, editors).",
      input: { id: itemIdField.describe('conflict id (from list_conflicts)'), pick: principalField.optional(), value: z.string().max(100_000).optional() },
      status: reviewing('resolving a conflict'),
    },
    async ({ id, pick, value }) => {
      if ((pick === undefined) === (value === undefined)) throw new ToolRefusal('pass exactly one of pick (a party principal id) or value (a new value)')
      const record = await agent.resolve(id, pick !== undefined ? { pick } : { value: value ?? '' })
      return ok(`resolved ${id}`, { conflict: conflictView(record) })
    },
  )

  defineTool(
    server,
    ctx,
    'propose_resolution',
    {
      description:
        "Proposes how to resolve a conflict, with your reasoning, shown beside it for a person to approve (owners, editors, reviewers): keep one party's value (pick) or a new value. Applied at once only where the workspace allows it and you may resolve.",
      input: {
        id: itemIdField.describe('conflict id (from list_conflicts)'),
        pick: principalField.optional(),
        value: z.string().max(PROPOSAL_LIMITS.valueChars).optional(),
        reasoning: z.string().min(1).max(PROPOSAL_LIMITS.reasoningBytes).describe('why this resolution; a person reads it'),
      },
      status: reviewing('proposing a resolution'),
    },
    async ({ id, pick, value, reasoning }) => {
      if ((pick === undefined) === (value === undefined)) throw new ToolRefusal('pass exactly one of pick (a party principal id) or value (a new value)')
      const result = await agent.submit(id, pick !== undefined ? { pick } : { value: value ?? '' }, reasoning)
      return ok(result.applied ? `applied your resolution of ${id}` : `proposed a resolution of ${id}: ${result.reason ?? 'a person approves it'}`, {
        applied: result.applied,
        conflict: conflictView(result.conflict),
      })
    },
  )
}
