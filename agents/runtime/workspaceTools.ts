// Adapts an attached SDK agent to the LLM runner's WorkspaceTools port: what the model's
// tools read and write goes through the same idempotent SDK calls as any agent.

import type { Agent } from '../sdk/Agent.ts'
import type { EditOutcome, WorkspaceTools } from '../llm/index.ts'
import { ApiRequestError } from '../../shared/api/index.ts'
import { describeCandidates, locateQuote } from '../../shared/anchoring/index.ts'
import { mayEditShared } from '../../shared/access.ts'

/**
 * Edits the shared text at the one exact occurrence of a quote (prefix/suffix pick among
 * several), as the agent: an attributed transaction the conflict detector sees like any edit.
 * Missing or ambiguous quotes are refused with candidates (shared/anchoring/locateQuote.ts).
 */
async function editByQuote(
  agent: Agent,
  input: { doc: string; quote: string; prefix?: string; suffix?: string },
  change: (at: { start: number; end: number }) => { index: number; remove: number; insert: string },
): Promise<EditOutcome> {
  // The server would refuse the update (and this copy would drift from it): ask first.
  const { role } = await agent.api.workspace(agent.workspace)
  if (!mayEditShared(role)) {
    return { edited: false, reason: 'forbidden', candidates: [], message: `role ${role ?? 'none'} may not edit shared documents: use propose_edit or annotate instead` }
  }
  const id = agent.documentId(input.doc)
  const where = locateQuote(agent.read(id), { exact: input.quote, prefix: input.prefix, suffix: input.suffix })
  if (where.kind === 'ambiguous') {
    return {
      edited: false,
      reason: 'ambiguous',
      candidates: where.candidates,
      message: `the quote occurs ${where.total} times in "${agent.title(id)}": repeat with prefix and/or suffix copied from one candidate (${describeCandidates(where.candidates)})`,
    }
  }
  if (where.kind === 'missing') {
    const near = where.candidates.length ? `; closest: ${describeCandidates(where.candidates)}` : '; call read_document for the current text'
    return {
      edited: false,
      reason: 'missing',
      candidates: where.candidates,
      message: `the quote is not in "${agent.title(id)}"${input.prefix || input.suffix ? ' with that prefix/suffix' : ''}${near}`,
    }
  }
  const { index, remove, insert } = change(where)
  agent.edit(id, (t) => {
    if (remove > 0) t.delete(index, remove)
    if (insert) t.insert(index, insert)
  })
  return { edited: true, id: `${id}@${index}`, at: index }
}

export function workspaceToolsFor(agent: Agent): WorkspaceTools {
  return {
    listDocuments: () => agent.documentList(),
    readDocument: (name) => agent.read(name),
    annotate: async ({ doc, quote, label, comment, severity }) => agent.annotate(doc, { quote }, { comment, ...(label ? { label } : {}), ...(severity ? { severity } : {}) }),
    propose: async ({ doc, quote, replacement, rationale }) => agent.propose(doc, { quote }, replacement, rationale),
    note: async ({ title, body }) => agent.note(`${title}\n\n${body}`),
    replaceText: (input) => editByQuote(agent, input, (at) => ({ index: at.start, remove: at.end - at.start, insert: input.replacement })),
    insertText: (input) => editByQuote(agent, input, (at) => ({ index: input.position === 'before' ? at.start : at.end, remove: 0, insert: input.text })),
    proposeResolution: async ({ conflictId, choice, value, reasoning }) => {
      const result = await agent.submit(conflictId, choice === 'custom' ? { value: value ?? '' } : { pick: choice }, reasoning)
      return { id: conflictId, applied: result.applied }
    },
    claimTask: async ({ taskId }) => {
      try {
        await agent.tasks.claim(taskId)
        return { claimed: true }
      } catch (err) {
        if (err instanceof ApiRequestError && err.status === 409) {
          const holder = typeof err.details.owner === 'string' ? err.details.owner : undefined
          return { claimed: false, ...(holder ? { holder } : {}) }
        }
        throw err
      }
    },
    readTask: async ({ taskId }) => {
      const board = agent.tasks.board()
      const task = board.find((t) => t.id === taskId)
      if (!task)
        throw new Error(
          `no task "${taskId}" on the board; tasks: ${
            board
              .map((t) => t.id)
              .slice(0, 50)
              .join(', ') || 'none'
          }`,
        )
      const { history: _history, ...fields } = task
      const dependencyResults = Object.fromEntries(board.filter((t) => task.dependsOn.includes(t.id)).map((t) => [t.id, t.result]))
      return { ...fields, dependencyResults }
    },
    completeTask: async ({ taskId, summary }) => {
      await agent.tasks.complete(taskId, summary)
      return { completed: true }
    },
  }
}
