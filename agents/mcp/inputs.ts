// Input fields several tools share, with their bounds (every size and count is capped).
import * as z from 'zod'
import { ANCHOR_LIMITS } from '../../shared/anchoring/index.ts'
import { ANNOTATION_LIMITS } from '../../shared/annotations.ts'

export const MAX_QUOTE = 2000
export const MAX_CONTEXT = 500
export const MAX_WRITE = 100_000

export const docField = z.string().min(1).max(200).describe('document id or its title (ids from list_documents)')
export const quoteFields = {
  quote: z.string().min(1).max(MAX_QUOTE).describe('the exact words as they are in the document now'),
  prefix: z.string().max(MAX_CONTEXT).optional().describe('text immediately before the quote, to pick one of several occurrences'),
  suffix: z.string().max(MAX_CONTEXT).optional().describe('text immediately after the quote'),
}
/** For what is anchored (annotations, proposals): quotes within the anchor bound every reader relies on. */
export const anchoredQuoteFields = {
  ...quoteFields,
  quote: z.string().min(1).max(ANCHOR_LIMITS.quote).describe(`the exact words as they are in the document now (at most ${ANCHOR_LIMITS.quote} characters)`),
}
export const labelField = z.string().min(1).max(ANNOTATION_LIMITS.label).describe('a short tag, e.g. vague, unsupported, typo')
export const commentField = z.string().min(1).max(ANNOTATION_LIMITS.comment)
export const principalField = z.string().min(1).max(100).describe('principal id of the namespace owner')
export const itemIdField = z.string().min(1).max(200)
