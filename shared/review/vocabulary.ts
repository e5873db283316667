// Where the workspace vocabulary (label synonyms for agreement, agreement.ts) lives: the tasks
// room `W/tasks`, the workspace's room that every member reads and only the server writes, so
// every browser and the server read the same vocabulary live and nobody can set it over a
// socket; owners change it through the API (PUT /api/workspaces/:ws/vocabulary).
//   Y.Map('vocabulary')  'synonyms' → string[][]
import type * as Y from 'yjs'
import * as z from 'zod'
import { DEFAULT_VOCABULARY, VOCABULARY_LIMITS, vocabularyError, type Vocabulary } from './agreement.ts'

export const VOCABULARY_MAP = 'vocabulary'

export const VocabularySchema = z
  .object({
    synonyms: z.array(z.array(z.string().trim().min(1).max(VOCABULARY_LIMITS.labelChars)).min(2).max(VOCABULARY_LIMITS.perGroup)).max(VOCABULARY_LIMITS.groups),
  })
  .strict()
  .superRefine((v, ctx) => {
    const error = vocabularyError(v)
    if (error) ctx.addIssue({ code: 'custom', message: error })
  })

/** The stored vocabulary, or the default when none (or an invalid one: room values are untrusted JSON) is stored. */
export function readVocabulary(doc: Y.Doc): { vocabulary: Vocabulary; isDefault: boolean } {
  const stored = VocabularySchema.safeParse({ synonyms: doc.getMap(VOCABULARY_MAP).get('synonyms') }).data
  return stored ? { vocabulary: stored, isDefault: false } : { vocabulary: DEFAULT_VOCABULARY, isDefault: true }
}
