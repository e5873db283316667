// Tools that write the caller's own reading into its namespace: annotations anchored by quote,
// notes, proposed edits, and the "submitted" mark for blind-until-submitted workspaces. Ids are
// deterministic (same annotation twice = one annotation), and each write is durable before the
// tool returns.

import * as z from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { defineTool, durability, durable, ok, titleFor, ToolRefusal, type ToolContext } from '../context.ts'
import { anchoredQuoteFields, commentField, docField, labelField, MAX_WRITE } from '../inputs.ts'
import { locate } from '../locate.ts'
import { ANNOTATION_LIMITS, SeveritySchema } from '../../../shared/annotations.ts'

export function registerNamespaceTools(server: McpServer, ctx: ToolContext): void {
  const { agent } = ctx
  const writing = (detail: string, doc?: string) => ({ state: 'writing' as const, detail, doc })

  defineTool(
    server,
    ctx,
    'annotate',
    {
      description: 'Adds your annotation (label, comment, severity) to the exact words `quote` of a document, in your own namespace. The same annotation twice is stored once.',
      input: {
        doc: docField,
        ...anchoredQuoteFields,
        comment: commentField,
        label: labelField.optional(),
        severity: SeveritySchema.optional(),
        supersedes: z
          .array(z.string().min(1).max(ANNOTATION_LIMITS.id))
          .max(ANNOTATION_LIMITS.supersedes)
          .optional()
          .describe('Ids of your earlier annotations on this document that this one replaces: they stay as history, hidden from readers by default.'),
      },
      status: ({ doc }) => writing(`annotating ${titleFor(agent, doc)}`, doc),
    },
    async ({ doc, quote, prefix, suffix, comment, label, severity, supersedes }) => {
      const at = locate(agent, doc, { quote, prefix, suffix })
      const body = { comment, ...(label ? { label } : {}), ...(severity ? { severity } : {}) }
      const result = agent.annotate(at.id, { start: at.start, end: at.end }, body, supersedes ? { supersedes } : {})
      const stored = await durable(agent)
      return ok(`${result.created ? 'annotated' : 'already annotated'} ${at.start}-${at.end} of ${agent.title(at.id)} [${at.id}] (id ${result.id}).${durability(stored)}`, {
        ...result,
        doc: at.id,
        durable: stored,
      })
    },
  )

  defineTool(
    server,
    ctx,
    'add_note',
    {
      description: 'Writes a free-form note (summary, overall review) in your namespace, optionally about one document.',
      input: { text: z.string().min(1).max(MAX_WRITE), doc: docField.optional() },
      status: ({ doc }) => writing('writing a note', doc),
    },
    async ({ text, doc }) => {
      const result = agent.note(text, doc)
      const stored = await durable(agent)
      return ok(`${result.created ? 'noted' : 'already noted'} (id ${result.id}).${durability(stored)}`, { ...result, durable: stored })
    },
  )

  defineTool(
    server,
    ctx,
    'propose_edit',
    {
      description: 'Proposes replacing the exact words `quote` with `replacement`, with a rationale. It changes the text only when an owner or editor accepts it.',
      input: { doc: docField, ...anchoredQuoteFields, replacement: z.string().max(MAX_WRITE), rationale: z.string().min(1).max(4000) },
      status: ({ doc }) => writing(`proposing an edit to ${titleFor(agent, doc)}`, doc),
    },
    async ({ doc, quote, prefix, suffix, replacement, rationale }) => {
      const at = locate(agent, doc, { quote, prefix, suffix })
      const result = agent.propose(at.id, { start: at.start, end: at.end }, replacement, rationale)
      const stored = await durable(agent)
      return ok(
        `${result.created ? 'proposed' : 'already proposed'} an edit of ${agent.title(at.id)} [${at.id}] (id ${result.id}, owner ${agent.principal.id}).${durability(stored)}`,
        {
          ...result,
          durable: stored,
          owner: agent.principal.id,
          doc: at.id,
        },
      )
    },
  )

  defineTool(
    server,
    ctx,
    'submit_review',
    {
      description: 'Marks your namespace as submitted (others may then read it in blind-until-submitted workspaces); submitted=false withdraws.',
      input: { submitted: z.boolean().default(true) },
      status: () => writing('submitting its review'),
    },
    async ({ submitted }) => {
      // What others will read must be on the server before the namespace opens to them.
      if (!(await durable(agent))) throw new ToolRefusal('the server has not confirmed your writes yet (unreachable?); try submit_review again in a moment')
      await agent.api.setSubmitted(agent.workspace, agent.principal.id, submitted)
      return ok(submitted ? 'review submitted' : 'submission withdrawn', { submitted })
    },
  )
}
