// What `POST /:ws/import` accepts: an export (exportWorkspace.ts) checked whole before anything is
// written. Shapes and bounds are zod; the cross-references (items on documents the import holds,
// decisions and replies about items of their namespace, task dependencies within the import,
// unique ids everywhere) are checked in superRefine, so one body gives one list of what is wrong.

import * as z from 'zod'
import { MAX_TITLE_LENGTH } from '../../shared/documents.ts'
import { AnnotationSchema, NoteSchema, ProposalSchema } from '../../shared/annotations.ts'
import { AnnotationDecisionSchema, ProposalDecisionSchema, ReplySchema, reviewKey } from '../../shared/review/index.ts'
import { isValidId } from '../../shared/rooms.ts'
import { EXPORT_FORMAT, EXPORT_VERSION } from './exportWorkspace.ts'

export const IMPORT_LIMITS = {
  documents: 1000,
  textChars: 1_000_000,
  namespaces: 500,
  /** Annotations, proposals, notes, decisions or replies of one namespace, each. */
  itemsPerNamespace: 10_000,
  promotedNotes: 10_000,
  tasks: 10_000,
  taskText: 10_000,
} as const

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'an id is 1 to 200 letters, digits, . _ - (starting with a letter or digit)')
const many = <T extends z.ZodTypeAny>(item: T, max: number, what: string) => z.array(item).max(max, `at most ${max} ${what} per import`)

const DocumentSchema = z
  .object({
    id: Id,
    title: z.string().max(MAX_TITLE_LENGTH, `a title has at most ${MAX_TITLE_LENGTH} characters`),
    text: z.string().max(IMPORT_LIMITS.textChars, `a text has at most ${IMPORT_LIMITS.textChars} characters`),
  })
  .strict()

const PromotedNoteSchema = z.object({ id: z.string().min(1).max(400), kind: z.literal('promoted-annotation'), doc: z.string().min(1).max(200) }).passthrough()

const NamespaceSchema = z.object({
  owner: z.string().refine(isValidId, 'a namespace owner is a principal id'),
  annotations: many(AnnotationSchema, IMPORT_LIMITS.itemsPerNamespace, 'annotations in a namespace'),
  proposals: many(ProposalSchema, IMPORT_LIMITS.itemsPerNamespace, 'proposals in a namespace'),
  notes: many(NoteSchema, IMPORT_LIMITS.itemsPerNamespace, 'notes in a namespace'),
  review: z.object({
    decisions: z.record(z.string(), AnnotationDecisionSchema),
    replies: z.record(z.string(), z.array(ReplySchema)),
    proposals: z.record(z.string(), ProposalDecisionSchema),
  }),
})

const TaskSchema = z.object({
  id: z.string().refine(isValidId, 'a task id is 1 to 64 letters, digits, . _ -'),
  title: z.string().max(IMPORT_LIMITS.taskText),
  description: z.string().max(IMPORT_LIMITS.taskText),
  dependsOn: z.array(z.string()).max(1000),
  status: z.enum(['open', 'claimed', 'done']),
  owner: z.string().nullable(),
  fencingToken: z.number().int().nonnegative(),
  result: z.unknown().optional(),
  createdBy: z.string(),
  createdAt: z.number(),
})

export const ImportSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT, { message: `not a Polyphony export: format must be "${EXPORT_FORMAT}"` }),
    version: z.literal(EXPORT_VERSION, { message: `only export version ${EXPORT_VERSION} can be imported` }),
    documents: many(DocumentSchema, IMPORT_LIMITS.documents, 'documents'),
    promotedNotes: many(PromotedNoteSchema, IMPORT_LIMITS.promotedNotes, 'promoted notes').default([]),
    namespaces: many(NamespaceSchema, IMPORT_LIMITS.namespaces, 'namespaces').default([]),
    tasks: many(TaskSchema, IMPORT_LIMITS.tasks, 'tasks').default([]),
  })
  .passthrough()
  .superRefine((value, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message })
    const unique = (ids: string[], path: (string | number)[], what: string) => {
      const seen = new Set<string>()
      for (const id of ids) {
        if (seen.has(id)) issue(path, `${what} id ${id} appears twice: ids must be unique`)
        seen.add(id)
      }
    }
    unique(
      value.documents.map((d) => d.id),
      ['documents'],
      'document',
    )
    const docs = new Set(value.documents.map((d) => d.id))
    const onDoc = (doc: string | undefined, path: (string | number)[], what: string) => {
      if (doc !== undefined && !docs.has(doc)) issue(path, `${what} is about document ${doc}, which the import does not contain`)
    }
    unique(
      value.promotedNotes.map((n) => n.id),
      ['promotedNotes'],
      'promoted note',
    )
    value.promotedNotes.forEach((n, i) => onDoc(n.doc, ['promotedNotes', i], `promoted note ${n.id}`))
    unique(
      value.namespaces.map((n) => n.owner),
      ['namespaces'],
      'namespace owner',
    )
    value.namespaces.forEach((ns, i) => {
      const at = ['namespaces', i]
      for (const [kind, items] of [
        ['annotation', ns.annotations],
        ['proposal', ns.proposals],
        ['note', ns.notes],
      ] as const) {
        unique(
          items.map((x) => x.id),
          at,
          kind,
        )
        for (const x of items) {
          if (x.author !== ns.owner) issue(at, `${kind} ${x.id} in ${ns.owner}'s namespace names another author (${x.author}): only a namespace's owner writes it`)
          onDoc(x.doc, at, `${kind} ${x.id}`)
        }
      }
      const annotations = new Set(ns.annotations.map((a) => reviewKey(ns.owner, a.id)))
      const proposals = new Set(ns.proposals.map((p) => reviewKey(ns.owner, p.id)))
      for (const key of Object.keys(ns.review.decisions)) if (!annotations.has(key)) issue(at, `a decision about ${key}, which is not an annotation of this namespace`)
      for (const key of Object.keys(ns.review.proposals)) if (!proposals.has(key)) issue(at, `a decision about ${key}, which is not a proposal of this namespace`)
      const replies = Object.entries(ns.review.replies).flatMap(([target, list]) => list.map((r) => ({ target, r })))
      if (Object.keys(ns.review.decisions).length + Object.keys(ns.review.proposals).length + replies.length > IMPORT_LIMITS.itemsPerNamespace) {
        issue(at, `at most ${IMPORT_LIMITS.itemsPerNamespace} review decisions and replies per namespace`)
      }
      unique(
        replies.map(({ r }) => r.id),
        at,
        'reply',
      )
      for (const { target, r } of replies) if (r.target !== target || !annotations.has(target)) issue(at, `reply ${r.id} is not about an annotation of this namespace`)
    })
    unique(
      value.tasks.map((t) => t.id),
      ['tasks'],
      'task',
    )
    const tasks = new Set(value.tasks.map((t) => t.id))
    value.tasks.forEach((t, i) => {
      for (const dep of t.dependsOn) if (dep === t.id || !tasks.has(dep)) issue(['tasks', i], `task ${t.id} depends on ${dep}, which the import does not contain (or is itself)`)
    })
  })

export type ImportBody = z.infer<typeof ImportSchema>
