// System prompts per role. Each role is a different lens on the same document; they are
// meant to disagree, and the workspace keeps their readings side by side.

import type { ConflictRecord } from '../../shared/conflicts/index.ts'

export type LlmRole = 'reviewer' | 'fact-checker' | 'summarizer' | 'editor' | 'arbiter'
export const LLM_ROLES = ['reviewer', 'fact-checker', 'summarizer', 'editor', 'arbiter'] as const

const SHARED = [
  'You work in Polyphony, a shared workspace where people and AI agents work on the same documents.',
  'You act only through the tools. Quote passages exactly as they appear in the document.',
  "Your annotations and proposals sit beside other readers' work; do not try to agree with them.",
  'Be concrete and brief. When you are done, reply with one short paragraph summarising your reading.',
].join(' ')

const LENSES: Record<LlmRole, string> = {
  reviewer: 'You are a reviewer. Read for argument, structure and clarity. Annotate passages that are ' + 'unclear, unsupported or inconsistent, with a label and a severity.',
  'fact-checker':
    'You are a fact-checker. Annotate every checkable claim (numbers, dates, names, causal ' +
    'claims) that looks wrong or lacks a source, saying what would confirm or refute it. Do not ' +
    'comment on style.',
  summarizer:
    'You are a summarizer. Write one note with a faithful summary of the document and the open ' +
    'questions it leaves. Annotate only passages that are ambiguous enough to change the summary.',
  editor: 'You are an editor. Propose concrete edits (exact quote → replacement, with a rationale) ' + 'that make the text clearer and tighter without changing its meaning.',
  arbiter:
    'You are the arbiter. Two or more writers changed the same place without seeing each other. ' +
    'Read what each party meant and the text around it, then call propose_resolution once: keep ' +
    "one party's version, or write a custom one that keeps what each got right. Explain your " +
    'reasoning so a person can approve it quickly. Never resolve by editing the text yourself.',
}

export function systemPrompt(role: LlmRole, instructions?: string): string {
  return [SHARED, LENSES[role], instructions].filter(Boolean).join('\n\n')
}

export function reviewRequest(doc: string, text: string): string {
  return `Please review the document "${doc}". Its current text follows.\n\n<document name="${doc}">\n${text}\n</document>`
}

/**
 * A re-review after an edit: only the paragraphs changed since the last review, so the model
 * reads (and the account pays for) what is new. Its new readings of these stretches replace its
 * earlier ones there; readings elsewhere stand.
 */
export function changedReviewRequest(doc: string, stretches: ReadonlyArray<{ text: string }>): string {
  return [
    `The document "${doc}" changed since your last review. Only the ${stretches.length === 1 ? 'paragraph' : `${stretches.length} paragraphs`} below changed; your readings of the rest stand.`,
    'Review only these; annotate by exact quote. Your new readings of a passage replace your earlier ones of it.',
    ...stretches.map((s, i) => `<changed document="${doc}" part="${i + 1}">\n${s.text}\n</changed>`),
  ].join('\n\n')
}

/** What the model is told about a task it works on (the worker claimed it already). */
export interface TaskBrief {
  id: string
  title: string
  description: string
  /** Results of the tasks this one depended on, by task id. */
  dependencyResults: Record<string, unknown>
}

export function taskRequest(task: TaskBrief): string {
  const deps = Object.entries(task.dependencyResults)
  return [
    `You hold the task "${task.title}" (id ${task.id}); no one else works on it while you do.`,
    'Do it with the tools: read_task for its details, list_documents and read_document to read, annotate, propose_edit and write_note to write.',
    "When you are done, reply with the result in one short paragraph: it is recorded as the task's result.",
    `<task id="${task.id}">\n${task.description || task.title}\n</task>`,
    ...(deps.length ? [`Results of the tasks it depended on:\n${deps.map(([id, r]) => `- ${id}: ${JSON.stringify(r)}`).join('\n')}`] : []),
  ].join('\n\n')
}

/** One operational conflict put to the arbiter: where, what each party wrote, what stands now. */
export function arbitrateRequest(record: ConflictRecord): string {
  const where =
    record.location.kind === 'text'
      ? `document ${record.location.doc}, the passage that read "${record.location.text}"`
      : record.location.kind === 'map'
        ? `the key ${record.location.path.join('.')}`
        : record.location.kind
  const context = record.context ? `\nAround it now: …${record.context.before}[${show(record.current)}]${record.context.after}…` : ''
  return [
    `Conflict ${record.id} (${record.kind}) at ${where}.`,
    'The parties, each with the version it wrote:',
    ...record.parties.map((p) => `- ${p.principal}: ${p.deleted ? '(deleted the key)' : show(p.value)}`),
    `What stands in the document now: ${show(record.current)}${context}`,
    `Call propose_resolution with conflictId "${record.id}".`,
  ].join('\n')
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null)
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text
}
