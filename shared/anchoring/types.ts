// Anchor data model: W3C Web Annotation selectors plus Yjs relative positions.
// Everything here is plain JSON so an anchor can live inside a namespace Y.Map.
import * as z from 'zod'
import { ANCHOR_LIMITS } from './limits.ts'

/** A Yjs ID as `Y.relativePositionToJSON` writes it. */
export const YIdSchema = z.object({ client: z.number().int().nonnegative(), clock: z.number().int().nonnegative() })

/** The JSON form of a `Y.RelativePosition` (`Y.relativePositionToJSON` / `Y.createRelativePositionFromJSON`). */
export const RelativePositionJSONSchema = z.object({
  type: YIdSchema.optional(),
  tname: z.string().optional(),
  item: YIdSchema.optional(),
  assoc: z.number().int().optional(),
})
export type RelativePositionJSON = z.infer<typeof RelativePositionJSONSchema>

const context = (side: string) => z.string().max(ANCHOR_LIMITS.context, `the ${side} may hold at most ${ANCHOR_LIMITS.context} characters of context`)

/** W3C `TextQuoteSelector`: the quoted text and a little context either side, bounded (limits.ts). */
export const TextQuoteSchema = z.object({
  exact: z.string().min(1).max(ANCHOR_LIMITS.quote, `a quote may hold at most ${ANCHOR_LIMITS.quote} characters: quote a shorter passage`),
  prefix: context('prefix'),
  suffix: context('suffix'),
})
export type TextQuote = z.infer<typeof TextQuoteSchema>

/** W3C `TextPositionSelector`: character offsets when the anchor was made (a hint only). */
export const TextPositionSchema = z
  .object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() })
  .refine((p) => p.start < p.end, 'position.start must be before position.end')
export type TextPosition = z.infer<typeof TextPositionSchema>

export const AnchorSchema = z.object({
  /** Associated with the first quoted character (inserts just before the span stay outside). */
  start: RelativePositionJSONSchema,
  /** Associated with the last quoted character (assoc -1: inserts just after the span stay outside). */
  end: RelativePositionJSONSchema,
  quote: TextQuoteSchema,
  position: TextPositionSchema,
  /** base64 `Y.encodeStateVector` of the shared document when the anchor was made. */
  stateVector: z.string(),
  /**
   * base64 `Y.encodeSnapshotV2(Y.snapshot(doc))` when the anchor was made (absent in older anchors
   * and when larger than ANCHOR_LIMITS.snapshot): the server reads the text "as read" from it.
   */
  snapshot: z.string().max(ANCHOR_LIMITS.snapshot, `a recorded snapshot has at most ${ANCHOR_LIMITS.snapshot} characters: omit it`).optional(),
})
export type Anchor = z.infer<typeof AnchorSchema>

/** Why an anchor could not be placed. */
export type OrphanReason =
  /** Neither the relative positions nor any quote match gave a span. */
  | 'not-found'
  /** Several places match equally well and the context cannot tell them apart. */
  | 'ambiguous'
  /** The anchor refers to text this replica has not received yet; try again after sync. */
  | 'not-synced'
  /** The quote or its context is beyond ANCHOR_LIMITS: never scored. */
  | 'invalid'

export type Resolution =
  { status: 'exact'; start: number; end: number } | { status: 'fuzzy'; start: number; end: number; score: number } | { status: 'orphaned'; reason: OrphanReason }
