// Executes one model `tool_use` block against the workspace port. Every input is validated
// first (known tool, zod schema, quote present in the document); anything that fails is
// answered with an `is_error` tool_result and never reaches the workspace.
import * as z from 'zod'
import type { ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages'
import { TOOL_SCHEMAS, type EditOutcome, type ToolName, type WorkspaceTools } from './tools.ts'
import type { ToolOutcome } from './events.ts'

export interface ToolUse {
  id: string
  name: string
  input: unknown
}

export interface ToolCallResult {
  result: ToolResultBlockParam
  outcome: ToolOutcome
  detail?: string
  /** Present for annotate / propose_edit / write_note that reached the workspace. */
  write?: { tool: ToolName; id: string; created: boolean }
}

export type ToolPhase = 'reading' | 'writing'

function isToolName(name: string): name is ToolName {
  return Object.hasOwn(TOOL_SCHEMAS, name)
}

function reply(call: ToolUse, outcome: ToolOutcome, content: string, extra: Partial<ToolCallResult> = {}): ToolCallResult {
  const isError = outcome === 'rejected' || outcome === 'failed'
  return {
    result: { type: 'tool_result', tool_use_id: call.id, content, ...(isError ? { is_error: true } : {}) },
    outcome,
    ...(isError ? { detail: content } : {}),
    ...extra,
  }
}

/** The quote must occur in the current text, so annotations anchor to something real. */
function checkQuote(tools: WorkspaceTools, doc: string, quote: string): string | undefined {
  let text: string
  try {
    text = tools.readDocument(doc)
  } catch (error) {
    return `Cannot read document "${doc}": ${error instanceof Error ? error.message : String(error)}`
  }
  return text.includes(quote) ? undefined : `The quote does not occur verbatim in "${doc}". Copy it exactly from the text.`
}

export async function runToolCall(tools: WorkspaceTools, call: ToolUse, onPhase: (phase: ToolPhase, detail: string) => void = () => {}): Promise<ToolCallResult> {
  if (!isToolName(call.name)) return reply(call, 'rejected', `Unknown tool "${call.name}".`)
  const parsed = TOOL_SCHEMAS[call.name].safeParse(call.input)
  if (!parsed.success) return reply(call, 'rejected', `Invalid input for ${call.name}:\n${z.prettifyError(parsed.error)}`)
  try {
    switch (call.name) {
      case 'list_documents':
        onPhase('reading', 'listing documents')
        return reply(call, 'read', JSON.stringify(tools.listDocuments()))
      case 'read_document': {
        const { doc } = TOOL_SCHEMAS.read_document.parse(parsed.data)
        onPhase('reading', doc)
        return reply(call, 'read', tools.readDocument(doc))
      }
      case 'annotate': {
        const input = TOOL_SCHEMAS.annotate.parse(parsed.data)
        const problem = checkQuote(tools, input.doc, input.quote)
        if (problem) return reply(call, 'rejected', problem)
        onPhase('writing', `annotating ${input.doc}`)
        return written(call, 'annotate', await tools.annotate(input))
      }
      case 'propose_edit': {
        const input = TOOL_SCHEMAS.propose_edit.parse(parsed.data)
        const problem = checkQuote(tools, input.doc, input.quote)
        if (problem) return reply(call, 'rejected', problem)
        onPhase('writing', `proposing an edit to ${input.doc}`)
        return written(call, 'propose_edit', await tools.propose(input))
      }
      case 'write_note': {
        const input = TOOL_SCHEMAS.write_note.parse(parsed.data)
        onPhase('writing', `writing note "${input.title}"`)
        return written(call, 'write_note', await tools.note(input))
      }
      case 'claim_task': {
        if (!tools.claimTask) return reply(call, 'rejected', 'Tasks are not available to this agent.')
        onPhase('writing', 'claiming a task')
        return reply(call, 'read', JSON.stringify(await tools.claimTask(TOOL_SCHEMAS.claim_task.parse(parsed.data))))
      }
      case 'read_task': {
        if (!tools.readTask) return reply(call, 'rejected', 'Tasks are not available to this agent.')
        onPhase('reading', 'reading a task')
        return reply(call, 'read', JSON.stringify(await tools.readTask(TOOL_SCHEMAS.read_task.parse(parsed.data))))
      }
      case 'replace_text': {
        if (!tools.replaceText) return reply(call, 'rejected', NO_EDITING)
        const input = TOOL_SCHEMAS.replace_text.parse(parsed.data)
        onPhase('writing', `editing ${input.doc}`)
        return edited(call, 'replace_text', await tools.replaceText(input))
      }
      case 'insert_text': {
        if (!tools.insertText) return reply(call, 'rejected', NO_EDITING)
        const input = TOOL_SCHEMAS.insert_text.parse(parsed.data)
        onPhase('writing', `editing ${input.doc}`)
        return edited(call, 'insert_text', await tools.insertText(input))
      }
      case 'propose_resolution': {
        if (!tools.proposeResolution) return reply(call, 'rejected', 'Proposing resolutions is not available to this agent.')
        const input = TOOL_SCHEMAS.propose_resolution.parse(parsed.data)
        if ((input.choice === 'custom') !== (input.value !== undefined)) {
          return reply(call, 'rejected', 'Give `value` exactly when choice is "custom"; otherwise choice is a party\'s principal id.')
        }
        onPhase('writing', `proposing a resolution of ${input.conflictId}`)
        const { id, applied } = await tools.proposeResolution(input)
        return reply(call, 'created', JSON.stringify({ id, applied }), { write: { tool: 'propose_resolution', id, created: true } })
      }
      case 'complete_task': {
        if (!tools.completeTask) return reply(call, 'rejected', 'Tasks are not available to this agent.')
        onPhase('writing', 'completing a task')
        return reply(call, 'read', JSON.stringify(await tools.completeTask(TOOL_SCHEMAS.complete_task.parse(parsed.data))))
      }
    }
  } catch (error) {
    return reply(call, 'failed', `The workspace refused ${call.name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

const NO_EDITING = 'Editing shared text is not available to this agent; use propose_edit.'

/** A refused edit is the model's to fix (another quote, or prefix/suffix from a candidate): rejected, with the candidates. */
function edited(call: ToolUse, tool: ToolName, outcome: EditOutcome): ToolCallResult {
  if (!outcome.edited) return reply(call, 'rejected', JSON.stringify({ error: outcome.message, reason: outcome.reason, candidates: outcome.candidates }))
  return written(call, tool, { id: outcome.id, created: true })
}

function written(call: ToolUse, tool: ToolName, { id, created }: { id: string; created: boolean }): ToolCallResult {
  const content = JSON.stringify(created ? { id, created } : { id, created, note: 'already recorded earlier; not duplicated' })
  return reply(call, created ? 'created' : 'duplicate', content, { write: { tool, id, created } })
}
