// What a principal's namespace document holds (DESIGN.md §2, room `W/ns/<principal>`):
// `Y.Map('annotations')`, `Y.Map('proposals')` and `Y.Map('notes')`, each id → plain JSON object.
// Ids are deterministic hashes of what was said about which text, so a retried or restarted
// agent writes the same key again instead of a duplicate.
import * as z from 'zod'
import { AnchorSchema, type Anchor } from './anchoring/index.ts'

export const NAMESPACE_MAPS = { annotations: 'annotations', proposals: 'proposals', notes: 'notes' } as const

export const SEVERITIES = ['info', 'warning', 'error'] as const
export const SeveritySchema = z.enum(SEVERITIES)
export type Severity = z.infer<typeof SeveritySchema>

/** Bounds on what an annotation says (its anchor is bounded by ANCHOR_LIMITS): every reader compares labels and comments. */
export const ANNOTATION_LIMITS = { label: 80, comment: 4000, id: 64, supersedes: 64 } as const

export const AnnotationBodySchema = z.object({
  label: z.string().max(ANNOTATION_LIMITS.label, `a label may hold at most ${ANNOTATION_LIMITS.label} characters`).optional(),
  comment: z.string().max(ANNOTATION_LIMITS.comment, `a comment may hold at most ${ANNOTATION_LIMITS.comment} characters`),
  severity: SeveritySchema.optional(),
})
export type AnnotationBody = z.infer<typeof AnnotationBodySchema>

/** Why an annotation body is out of bounds, phrased as how to fix it; null when it fits. */
export function annotationBodyError(body: AnnotationBody): string | null {
  const r = AnnotationBodySchema.safeParse(body)
  return r.success ? null : r.error.issues.map((i) => i.message).join('; ')
}

/** How many items (annotations, proposals) on `doc` a namespace map holds (valid or not: each one costs its readers). */
export function annotationsOn(map: { forEach(f: (value: unknown) => void): void }, doc: string): number {
  let n = 0
  map.forEach((v) => {
    if ((v as { doc?: unknown } | null)?.doc === doc) n++
  })
  return n
}

export const AnnotationSchema = z.object({
  id: z.string().min(1),
  kind: z.literal('annotation'),
  author: z.string().min(1),
  /** Id of the shared document (its key in the shared room's `Y.Map('docs')`; stable across renames). */
  doc: z.string().min(1),
  target: AnchorSchema,
  body: AnnotationBodySchema,
  /** Milliseconds since the epoch. */
  createdAt: z.number(),
  /**
   * The id of the same author's newer reading of this stretch: the annotation stays (history) but
   * readers hide it by default. It counts only when that id is in the same namespace (isSuperseded).
   */
  supersededBy: z.string().min(1).max(ANNOTATION_LIMITS.id, `an annotation id has at most ${ANNOTATION_LIMITS.id} characters`).optional(),
})
export type Annotation = z.infer<typeof AnnotationSchema>

/**
 * Whether `a` is superseded by a newer reading among `ownIds` (the ids in the same namespace).
 * Only the namespace owner writes its namespace, so only it can supersede its own readings; a
 * pointer to an id that is not there (deleted, or never written) does not hide anything.
 */
export function isSuperseded(a: Pick<Annotation, 'id' | 'supersededBy'>, ownIds: ReadonlySet<string>): boolean {
  return a.supersededBy !== undefined && a.supersededBy !== a.id && ownIds.has(a.supersededBy)
}

export const PROPOSAL_STATUSES = ['open', 'accepted', 'rejected'] as const
export const ProposalStatusSchema = z.enum(PROPOSAL_STATUSES)
export type ProposalStatus = z.infer<typeof ProposalStatusSchema>

/** A suggested replacement of the target span; it changes the shared text only when a person accepts it. */
export const ProposalSchema = z.object({
  id: z.string().min(1),
  author: z.string().min(1),
  doc: z.string().min(1),
  target: AnchorSchema,
  replacement: z.string(),
  rationale: z.string(),
  createdAt: z.number(),
  status: ProposalStatusSchema,
  /** Who accepted or rejected it, and when (absent while open). */
  decidedBy: z.string().optional(),
  decidedAt: z.number().optional(),
})
export type Proposal = z.infer<typeof ProposalSchema>

/** Free-form writing in a namespace: a summary, a rating, an overall review, optionally about one document. */
export const NoteSchema = z.object({
  id: z.string().min(1),
  author: z.string().min(1),
  doc: z.string().min(1).optional(),
  text: z.string(),
  createdAt: z.number(),
})
export type Note = z.infer<typeof NoteSchema>

/** Same author, document, quoted text and body → same id. */
export function annotationId(author: string, doc: string, quote: string, body: AnnotationBody): string {
  return 'a-' + fnv1a64(JSON.stringify(['annotation', author, doc, quote, body.label ?? null, body.comment, body.severity ?? null]))
}

/** Same author, document, quoted text and replacement → same id (the rationale may vary between retries). */
export function proposalId(author: string, doc: string, quote: string, replacement: string): string {
  return 'p-' + fnv1a64(JSON.stringify(['proposal', author, doc, quote, replacement]))
}

/** Same author, document and text → same id. */
export function noteId(author: string, doc: string | undefined, text: string): string {
  return 'n-' + fnv1a64(JSON.stringify(['note', author, doc ?? null, text]))
}

export function makeAnnotation(a: { author: string; doc: string; target: Anchor; body: AnnotationBody; createdAt: number }): Annotation {
  return { id: annotationId(a.author, a.doc, a.target.quote.exact, a.body), kind: 'annotation', ...a }
}

export function makeProposal(p: { author: string; doc: string; target: Anchor; replacement: string; rationale: string; createdAt: number }): Proposal {
  return { id: proposalId(p.author, p.doc, p.target.quote.exact, p.replacement), status: 'open', ...p }
}

export function makeNote(n: { author: string; doc?: string; text: string; createdAt: number }): Note {
  return { id: noteId(n.author, n.doc, n.text), ...n }
}

/** Values read from a namespace map are untrusted JSON: null when they do not fit the schema. */
export const parseAnnotation = (value: unknown): Annotation | null => AnnotationSchema.safeParse(value).data ?? null
export const parseProposal = (value: unknown): Proposal | null => ProposalSchema.safeParse(value).data ?? null
export const parseNote = (value: unknown): Note | null => NoteSchema.safeParse(value).data ?? null

/**
 * An item read from `owner`'s namespace, or null. Only the owner writes its namespace, so the
 * author of anything in it is the owner: an item claiming another author (an agent writing
 * `author: 'alice'`) is not shown as anyone's. Server outputs and the browser both read through this.
 */
export function ownItem<T extends { author: string }>(owner: string, value: unknown, parse: (value: unknown) => T | null): T | null {
  const item = parse(value)
  return item && item.author === owner ? item : null
}

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK_64 = 0xffffffffffffffffn
const utf8 = new TextEncoder()

/** FNV-1a 64 over the UTF-8 bytes, as 16 hex digits. Not cryptographic: ids only need to be stable and spread. */
export function fnv1a64(input: string): string {
  let h = FNV_OFFSET
  for (const byte of utf8.encode(input)) {
    h ^= BigInt(byte)
    h = (h * FNV_PRIME) & MASK_64
  }
  return h.toString(16).padStart(16, '0')
}
