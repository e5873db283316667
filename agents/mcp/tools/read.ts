// Read tools: what is in the workspace, a document's text with a version token, and the
// readings (annotations, proposals, notes) of every namespace the caller may read.

import * as z from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { defineTool, ok, titleFor, type ToolContext } from '../context.ts'
import { docField } from '../inputs.ts'
import { versionOf } from '../version.ts'
import { readings, workspaceOverview } from '../views.ts'

const MAX_READ = 200_000

export function registerReadTools(server: McpServer, ctx: ToolContext): void {
  const { agent } = ctx

  defineTool(
    server,
    ctx,
    'workspace_overview',
    { description: 'The workspace: documents (ids, titles), members, your role, counts of open conflicts and tasks.', input: {}, readOnly: true },
    async () => {
      const overview = await workspaceOverview(agent)
      const docs = overview.documents.map((d) => `${d.title} [${d.id}]`).join(', ') || 'none'
      return ok(
        `Workspace ${overview.workspace}: you are ${overview.me.id} (${overview.me.role}). Documents: ${docs}. Open conflicts: ${overview.openConflicts}. Tasks: ${JSON.stringify(overview.tasks)}.`,
        { ...overview },
      )
    },
  )

  defineTool(server, ctx, 'list_documents', { description: 'Every document with its id, title and length.', input: {}, readOnly: true }, () => {
    const documents = agent.documentList().map((d) => ({ ...d, length: agent.text(d.id).length }))
    return ok(documents.map((d) => `${d.id}: ${d.title} (${d.length} chars)`).join('\n') || 'no documents yet', { documents })
  })

  defineTool(
    server,
    ctx,
    'read_document',
    {
      description: 'The text of a document and a version token to pass to edits. Long texts: read in slices with offset/limit.',
      input: {
        doc: docField,
        offset: z.number().int().min(0).optional().describe('first character (default 0)'),
        limit: z.number().int().min(1).max(MAX_READ).optional().describe(`characters to return (default and max ${MAX_READ})`),
      },
      readOnly: true,
      status: ({ doc }) => ({ state: 'reading', detail: `reading ${titleFor(agent, doc)}`, doc }),
    },
    ({ doc, offset = 0, limit = MAX_READ }) => {
      const id = agent.documentId(doc)
      const full = agent.read(id)
      const text = full.slice(offset, offset + limit)
      const truncated = offset + text.length < full.length
      const version = versionOf(agent.shared, full)
      const more = truncated ? `\n[… ${full.length - offset - text.length} more characters: call again with offset ${offset + text.length}]` : ''
      return ok(`${agent.title(id)} [${id}] (version ${version.slice(-16)}):\n${text}${more}`, {
        id,
        title: agent.title(id),
        text,
        offset,
        length: full.length,
        truncated,
        version,
      })
    },
  )

  defineTool(
    server,
    ctx,
    'read_readings',
    {
      description:
        'Annotations of every namespace you may read on a document, grouped by the stretch they read (with what readers agree and differ on), the proposed edits and their status, and the notes about it in those namespaces.',
      input: { doc: docField },
      readOnly: true,
      status: ({ doc }) => ({ state: 'reading', detail: `reading the readings of ${titleFor(agent, doc)}`, doc }),
    },
    async ({ doc }) => {
      const view = await readings(agent, ctx.others, doc)
      const lines = view.groups.map(
        (g) => `"${g.text.slice(0, 80)}" @${g.start}-${g.end}: ` + g.annotations.map((a) => `${a.owner}/${a.id} ${a.label ?? ''} ${a.comment}`.trim()).join(' | '),
      )
      const props = view.proposals.map((p) => `proposal ${p.owner}/${p.id} (${p.status}): "${p.quote.slice(0, 60)}" → "${p.replacement.slice(0, 60)}"`)
      return ok(
        [`${view.title} [${view.doc}]: ${view.groups.length} stretches read, ${view.proposals.length} proposals, ${view.notes.length} notes`, ...lines, ...props].join('\n'),
        { ...view },
      )
    },
  )
}
