// Conflict records: what the detector writes to the durable conflict log (DESIGN.md §4).
import { z } from 'zod'

export const CONFLICT_KINDS = ['map-key-overwrite', 'overlapping-text-edit', 'claim-race', 'schema-mismatch'] as const
export type ConflictKind = (typeof CONFLICT_KINDS)[number]

/** Yjs `RelativePositionJSON` (Y.relativePositionToJSON); rebuild with Y.createRelativePositionFromJSON. */
export const RelativePositionJsonSchema = z.object({
  type: z.object({ client: z.number(), clock: z.number() }).optional(),
  tname: z.string().optional(),
  item: z.object({ client: z.number(), clock: z.number() }).optional(),
  assoc: z.number().optional(),
})
export type RelativePositionJson = z.infer<typeof RelativePositionJsonSchema>

export const MapLocationSchema = z.object({
  kind: z.literal('map'),
  /** Key path from the root type, e.g. ['meta', 'title']. */
  path: z.array(z.string()),
})

export const TextLocationSchema = z.object({
  kind: z.literal('text'),
  /** Name of the text in `Y.Map('docs')` (last element of `path`). */
  doc: z.string(),
  path: z.array(z.string()),
  /** Before the first character of the stretch (assoc 0). */
  start: RelativePositionJsonSchema,
  /** After the last character of the stretch (assoc -1). */
  end: RelativePositionJsonSchema,
  /** What the stretch said before either party changed it. */
  text: z.string(),
  /** The stretch with both parties' adjacent insertions: the range a resolution replaces. */
  region: z.object({ start: RelativePositionJsonSchema, end: RelativePositionJsonSchema }).optional(),
})

/** A claim the server refused because another claimant won it concurrently (never reaches the CRDT). */
export const TaskLocationSchema = z.object({ kind: z.literal('task'), taskId: z.string() })

/** A client that wrote or announced an incompatible schema version. */
export const SchemaLocationSchema = z.object({ kind: z.literal('schema'), expected: z.number(), found: z.unknown() })

export const ConflictLocationSchema = z.discriminatedUnion('kind', [MapLocationSchema, TextLocationSchema, TaskLocationSchema, SchemaLocationSchema])
export type MapLocation = z.infer<typeof MapLocationSchema>
export type TextLocation = z.infer<typeof TextLocationSchema>
export type ConflictLocation = z.infer<typeof ConflictLocationSchema>

export const ConflictPartySchema = z.object({
  principal: z.string(),
  /** Map: the value this party wrote. Text: this party's version of the stretch. */
  value: z.unknown(),
})
export type ConflictParty = z.infer<typeof ConflictPartySchema>

export const ConflictResolutionSchema = z.object({
  by: z.string(),
  /** A party's principal whose value was kept, or 'custom' for a new value. */
  choice: z.string(),
  value: z.unknown(),
  at: z.number(),
})
export type ConflictResolution = z.infer<typeof ConflictResolutionSchema>

export const ConflictRecordSchema = z.object({
  /** Deterministic: hash of kind, doc, location and parties (see conflictId). */
  id: z.string(),
  kind: z.enum(CONFLICT_KINDS),
  /** Room name of the document, e.g. `w1/shared`. */
  doc: z.string(),
  location: ConflictLocationSchema,
  /** Sorted by principal; always two distinct principals. */
  parties: z.array(ConflictPartySchema).min(2),
  status: z.enum(['open', 'resolved']),
  detectedAt: z.number(),
  resolution: ConflictResolutionSchema.optional(),
})
export type ConflictRecord = z.infer<typeof ConflictRecordSchema>
