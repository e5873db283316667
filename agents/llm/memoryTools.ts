// An in-memory `WorkspaceTools`: documents in a Map, writes deduplicated by deterministic id.
// Used by tests and by offline demos; the agent SDK provides the live implementation.
import { annotationId, noteId, proposalId } from '../../shared/annotations.ts'
import type { AnnotateInput, NoteInput, ProposeInput, WorkspaceTools, WriteResult } from './tools.ts'

export type MemoryWrite =
  { kind: 'annotation'; id: string; input: AnnotateInput } | { kind: 'proposal'; id: string; input: ProposeInput } | { kind: 'note'; id: string; input: NoteInput }

export interface MemoryWorkspaceTools extends WorkspaceTools {
  readonly documents: Map<string, string>
  /** Distinct writes, in the order they were first made. */
  readonly writes: MemoryWrite[]
  /** Every write call, including those that hit an existing id. */
  readonly attempts: MemoryWrite[]
}

export function createMemoryWorkspaceTools({ author, documents }: { author: string; documents: Record<string, string> }): MemoryWorkspaceTools {
  const docs = new Map(Object.entries(documents))
  const writes: MemoryWrite[] = []
  const attempts: MemoryWrite[] = []
  const ids = new Set<string>()

  function record(write: MemoryWrite): WriteResult {
    attempts.push(write)
    if (ids.has(write.id)) return { id: write.id, created: false }
    ids.add(write.id)
    writes.push(write)
    return { id: write.id, created: true }
  }

  return {
    documents: docs,
    writes,
    attempts,
    listDocuments: () => [...docs.keys()].map((id) => ({ id, title: id })),
    readDocument(name) {
      const text = docs.get(name)
      if (text === undefined) throw new Error(`no document named "${name}"`)
      return text
    },
    annotate: async (input) => {
      const { doc, quote, ...body } = input
      return record({ kind: 'annotation', id: annotationId(author, doc, quote, body), input })
    },
    propose: async (input) => record({ kind: 'proposal', id: proposalId(author, input.doc, input.quote, input.replacement), input }),
    note: async (input) => record({ kind: 'note', id: noteId(author, undefined, `${input.title}\n\n${input.body}`), input }),
  }
}
