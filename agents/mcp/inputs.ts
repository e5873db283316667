// Input fields several tools share, with their bounds (every size and count is capped).
import { z } from 'zod'

export const MAX_QUOTE = 2000
export const MAX_CONTEXT = 500
export const MAX_WRITE = 100_000

export const docField = z.string().min(1).max(200).describe('document id or its title (ids from list_documents)')
export const quoteFields = {
  quote: z.string().min(1).max(MAX_QUOTE).describe('the exact words as they are in the document now'),
  prefix: z.string().max(MAX_CONTEXT).optional().describe('text immediately before the quote, to pick one of several occurrences'),
  suffix: z.string().max(MAX_CONTEXT).optional().describe('text immediately after the quote'),
}
export const principalField = z.string().min(1).max(100).describe('principal id of the namespace owner')
export const itemIdField = z.string().min(1).max(200)
