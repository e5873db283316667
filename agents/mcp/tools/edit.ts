// Edit tools: replace or insert by quote, create a document. Each edit is one attributed CRDT
// transaction, durable on the server before the tool returns. A version token from an earlier
// read is never a reason to refuse (concurrent edits merge); the result says when the text moved.

import * as z from 'zod'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { defineTool, durability, durable, ok, titleFor, ToolRefusal, type ToolContext } from '../context.ts'
import { docField, MAX_WRITE, quoteFields } from '../inputs.ts'
import { locate } from '../locate.ts'
import { changedSince, MAX_VECTOR_CHARS, versionOf } from '../version.ts'
import { checkTitle, MAX_TITLE_LENGTH, newDocumentId } from '../../../shared/documents.ts'
import type { Agent } from '../../sdk/Agent.ts'
import { assertMayEditShared } from '../views.ts'

const versionField = z
  .string()
  .max(MAX_VECTOR_CHARS + 32)
  .optional()
  .describe('the version from your read_document; lets the result tell you if the text changed meanwhile')

export function registerEditTools(server: McpServer, ctx: ToolContext): void {
  const { agent } = ctx
  const editing = ({ doc }: { doc: string }) => ({ state: 'writing' as const, detail: `editing ${titleFor(agent, doc)}`, doc })

  defineTool(
    server,
    ctx,
    'replace_text',
    {
      description:
        'Replaces the exact words `quote` in a document with `replacement` (empty to delete). Refuses when the quote is missing or occurs several times (add prefix/suffix).',
      input: { doc: docField, ...quoteFields, replacement: z.string().max(MAX_WRITE), version: versionField },
      status: editing,
    },
    async ({ doc, quote, prefix, suffix, replacement, version }) => {
      await assertMayEditShared(agent)
      const at = locate(agent, doc, { quote, prefix, suffix })
      agent.edit(at.id, (t) => {
        t.delete(at.start, at.end - at.start)
        if (replacement) t.insert(at.start, replacement)
      })
      return written(agent, at.id, at.text, version, `replaced ${at.end - at.start} characters at ${at.start}`)
    },
  )

  defineTool(
    server,
    ctx,
    'insert_text',
    {
      description: 'Inserts `text` right before or after the exact words `quote` in a document. Refuses when the quote is missing or ambiguous.',
      input: {
        doc: docField,
        ...quoteFields,
        position: z.enum(['before', 'after']).describe('insert before or after the quote'),
        text: z.string().min(1).max(MAX_WRITE),
        version: versionField,
      },
      status: editing,
    },
    async ({ doc, quote, prefix, suffix, position, text, version }) => {
      await assertMayEditShared(agent)
      const at = locate(agent, doc, { quote, prefix, suffix })
      const index = position === 'before' ? at.start : at.end
      agent.edit(at.id, (t) => t.insert(index, text))
      return written(agent, at.id, at.text, version, `inserted ${text.length} characters at ${index}`)
    },
  )

  defineTool(
    server,
    ctx,
    'create_document',
    {
      description: 'Creates a document with a title (unique in the workspace) and optional content; returns its id.',
      input: { title: z.string().min(1).max(MAX_TITLE_LENGTH), content: z.string().max(MAX_WRITE).optional() },
      status: ({ title }) => ({ state: 'writing', detail: `creating ${title}` }),
    },
    async ({ title, content }) => {
      await assertMayEditShared(agent)
      const problem = checkTitle(agent.shared, title)
      if (problem) throw new ToolRefusal(`${problem} Pick another title, or edit the existing document.`)
      const taken = new Set(agent.documents())
      const id = newDocumentId((candidate) => taken.has(candidate))
      agent.createDocument(id, content ?? '', title.trim())
      const stored = await durable(agent)
      return ok(`created ${title} [${id}].${durability(stored)}`, { id, title: title.trim(), durable: stored, version: versionOf(agent.shared, content ?? '') })
    },
  )
}

async function written(agent: Agent, id: string, before: string, version: string | undefined, what: string) {
  const stored = await durable(agent)
  const after = agent.read(id)
  const stale = version !== undefined && changedSince(version, before)
  const note = stale ? ' Note: the text changed since your read; your edit applied to the current text.' : ''
  return ok(`${what} in ${agent.title(id)} [${id}].${durability(stored)}${note}`, {
    id,
    staleRead: stale,
    durable: stored,
    length: after.length,
    version: versionOf(agent.shared, after),
  })
}
