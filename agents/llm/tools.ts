// The workspace as an LLM agent sees it: a small port (`WorkspaceTools`) that the agent SDK
// implements, the zod schemas that every model-produced tool input must pass, and the
// Anthropic tool definitions generated from those same schemas (so they cannot drift).
import * as z from 'zod'
import type { Tool } from '@anthropic-ai/sdk/resources/messages'
import { ANNOTATION_LIMITS, SeveritySchema } from '../../shared/annotations.ts'
import { ANCHOR_LIMITS } from '../../shared/anchoring/index.ts'

const docName = z.string().min(1).max(200).describe('Document id (or its title when no other document has it), as listed by list_documents.')
const quote = z
  .string()
  .min(1)
  .max(ANCHOR_LIMITS.quote, `quote at most ${ANCHOR_LIMITS.quote} characters: pick the words that matter`)
  .describe('Exact text copied from the document that this refers to; it must occur verbatim.')

export const annotateInput = z
  .object({
    doc: docName,
    quote,
    label: z.string().min(1).max(60).optional().describe('Short category, e.g. "clarity" or "unsupported claim".'),
    comment: z.string().min(1).max(ANNOTATION_LIMITS.comment).describe('Your reading of the quoted passage.'),
    severity: SeveritySchema.optional(),
  })
  .strict()

export const proposeInput = z
  .object({
    doc: docName,
    quote: quote.describe('Exact text to replace; it must occur verbatim in the document.'),
    replacement: z.string().max(8000).describe('Text to put in place of the quote.'),
    rationale: z.string().min(1).max(4000).describe('Why this edit improves the document.'),
  })
  .strict()

export const noteInput = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().min(1).max(20000),
  })
  .strict()

/** Editing is not anchoring: a passage to replace may be longer than an annotation's quote. */
const editQuote = z.string().min(1).max(8000).describe('Exact text copied from the current document; it must occur verbatim.')
const context = {
  prefix: z.string().min(1).max(200).optional().describe('Text right before the quote, when the quote occurs more than once.'),
  suffix: z.string().min(1).max(200).optional().describe('Text right after the quote, when the quote occurs more than once.'),
}

export const replaceTextInput = z
  .object({ doc: docName, quote: editQuote, ...context, replacement: z.string().max(8000).describe('The new text (empty to delete the quote).') })
  .strict()

export const insertTextInput = z
  .object({
    doc: docName,
    quote: editQuote,
    ...context,
    position: z.enum(['before', 'after']).describe('Insert right before or right after the quote.'),
    text: z.string().min(1).max(8000),
  })
  .strict()

export const proposeResolutionInput = z
  .object({
    conflictId: z.string().min(1).max(200).describe('The id of the conflict, as given.'),
    choice: z.string().min(1).max(200).describe('The principal id of the party whose version to keep, or "custom" with `value`.'),
    value: z.string().max(16_000).optional().describe('Only with choice "custom": the text to write instead of every party\'s.'),
    reasoning: z.string().min(1).max(4000).describe('Why this resolution: what each party meant and why this choice serves the document. A person reads it.'),
  })
  .strict()

export const readDocumentInput = z.object({ doc: docName }).strict()
export const listDocumentsInput = z.object({}).strict()
export const claimTaskInput = z.object({ taskId: z.string().min(1).max(200) }).strict()
export const readTaskInput = z.object({ taskId: z.string().min(1).max(200) }).strict()
export const completeTaskInput = z.object({ taskId: z.string().min(1).max(200), summary: z.string().max(4000).optional() }).strict()

export type AnnotateInput = z.infer<typeof annotateInput>
export type ProposeInput = z.infer<typeof proposeInput>
export type NoteInput = z.infer<typeof noteInput>
export type ReplaceTextInput = z.infer<typeof replaceTextInput>
export type InsertTextInput = z.infer<typeof insertTextInput>
export type ProposeResolutionInput = z.infer<typeof proposeResolutionInput>
export type ClaimTaskInput = z.infer<typeof claimTaskInput>
export type CompleteTaskInput = z.infer<typeof completeTaskInput>

/** Result of a write. Implementations derive `id` deterministically from the input (the id
 *  functions in shared/annotations.ts), so repeating a write returns the same id with
 *  `created: false`. */
export interface WriteResult {
  id: string
  created: boolean
}

/** What an edit by quote did: applied at one place, or refused with where the quote is (or nearly is). */
export type EditOutcome =
  | { edited: true; id: string; at: number }
  | {
      edited: false
      reason: 'ambiguous' | 'missing' | 'forbidden'
      message: string
      candidates: Array<{ start: number; end: number; text: string; before: string; after: string }>
    }

/** The port an LLM agent works through; the agent SDK implements it over the live workspace. */
export interface WorkspaceTools {
  /** Each document's stable id and its display title. */
  listDocuments(): Array<{ id: string; title: string }>
  /** Throws when the document does not exist or is not readable. */
  readDocument(name: string): string
  annotate(input: AnnotateInput): Promise<WriteResult>
  propose(input: ProposeInput): Promise<WriteResult>
  note(input: NoteInput): Promise<WriteResult>
  claimTask?(input: ClaimTaskInput): Promise<{ claimed: boolean; holder?: string }>
  completeTask?(input: CompleteTaskInput): Promise<{ completed: boolean }>
  /** Edits the shared text directly, as this agent (attributed; the conflict detector sees it). */
  replaceText?(input: ReplaceTextInput): Promise<EditOutcome>
  insertText?(input: InsertTextInput): Promise<EditOutcome>
  /** Submits a proposed resolution of an operational conflict, beside the conflict. */
  proposeResolution?(input: ProposeResolutionInput): Promise<{ id: string; applied: boolean }>
  /** The task as the board shows it (title, description, status, dependencies and their results). */
  readTask?(input: { taskId: string }): Promise<unknown>
}

export type ToolName =
  | 'list_documents'
  | 'read_document'
  | 'annotate'
  | 'propose_edit'
  | 'write_note'
  | 'claim_task'
  | 'complete_task'
  | 'read_task'
  | 'replace_text'
  | 'insert_text'
  | 'propose_resolution'

export const TOOL_SCHEMAS = {
  list_documents: listDocumentsInput,
  read_document: readDocumentInput,
  annotate: annotateInput,
  propose_edit: proposeInput,
  write_note: noteInput,
  claim_task: claimTaskInput,
  complete_task: completeTaskInput,
  read_task: readTaskInput,
  replace_text: replaceTextInput,
  insert_text: insertTextInput,
  propose_resolution: proposeResolutionInput,
} satisfies Record<ToolName, z.ZodType>

const DESCRIPTIONS: Record<ToolName, string> = {
  list_documents: 'List the documents in the shared workspace, each with its id and title.',
  read_document: 'Read the full current text of a document.',
  annotate: 'Attach a comment to an exact passage of a document. Use it for your reading, questions, ' + 'and issues; it does not change the text.',
  propose_edit: 'Propose replacing an exact passage with new text. A person reviews the proposal; the ' + 'document is not changed directly.',
  write_note: 'Write a note in your own namespace, e.g. a summary or overall assessment.',
  claim_task: 'Claim a task so that no one else works on it at the same time.',
  complete_task: 'Mark a task you claimed as complete, with a short summary.',
  read_task: 'Read a task from the task board: title, description, status, dependencies and their results.',
  replace_text:
    'Edit the shared document directly: replace the exact words `quote` with `replacement`. People may be editing the ' +
    'same text at once; the edit merges with theirs. Refused when the quote is missing or occurs more than once ' +
    '(the answer lists candidates: repeat with prefix/suffix copied from one).',
  insert_text: 'Edit the shared document directly: insert `text` right before or after the exact words `quote`. Refused like replace_text.',
  propose_resolution:
    "Propose how to resolve an operational conflict: keep one party's version (choice = its principal id) or write " +
    'a new one (choice "custom" with value), with your reasoning. A person approves it unless the workspace lets it apply.',
}

/** Which optional port method each optional tool needs. */
const NEEDS: Partial<Record<ToolName, keyof WorkspaceTools>> = {
  claim_task: 'claimTask',
  complete_task: 'completeTask',
  read_task: 'readTask',
  replace_text: 'replaceText',
  insert_text: 'insertText',
  propose_resolution: 'proposeResolution',
}

function inputSchema(schema: z.ZodType): Tool.InputSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>
  return { ...json, type: 'object' }
}

/** Tool definitions for the Messages API; optional tools (tasks, edits, resolutions) only when the port supports them. */
export function toolDefinitions(tools: WorkspaceTools): Tool[] {
  const names = (Object.keys(TOOL_SCHEMAS) as ToolName[]).filter((name) => {
    const needs = NEEDS[name]
    return needs === undefined || tools[needs] !== undefined
  })
  return names.map((name) => ({ name, description: DESCRIPTIONS[name], input_schema: inputSchema(TOOL_SCHEMAS[name]) }))
}
