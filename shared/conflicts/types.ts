// Conflict records: what the detector writes to the durable conflict log (DESIGN.md §4).
import * as z from 'zod'

export const CONFLICT_KINDS = ['map-key-overwrite', 'overlapping-text-edit', 'duplicated-text', 'claim-race', 'schema-mismatch'] as const
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

/**
 * A Yjs value described with its types, so a resolution rebuilds the same structure
 * (a nested Y.Map stays a Y.Map). `json` is a plain value; `deleted` is a removed map key.
 */
export type TypedValue =
  | { t: 'json'; v: unknown }
  | { t: 'deleted' }
  | { t: 'map'; entries: Record<string, TypedValue> }
  | { t: 'array'; items: TypedValue[] }
  | { t: 'text'; delta: Array<{ insert: string | Record<string, unknown>; attributes?: Record<string, unknown> }> }
export const TypedValueSchema: z.ZodType<TypedValue> = z.lazy(() =>
  z.union([
    z.object({ t: z.literal('json'), v: z.unknown() }),
    z.object({ t: z.literal('deleted') }),
    z.object({ t: z.literal('map'), entries: z.record(z.string(), TypedValueSchema) }),
    z.object({ t: z.literal('array'), items: z.array(TypedValueSchema) }),
    z.object({
      t: z.literal('text'),
      delta: z.array(z.object({ insert: z.union([z.string(), z.record(z.string(), z.unknown())]), attributes: z.record(z.string(), z.unknown()).optional() })),
    }),
  ]),
)

export const ConflictPartySchema = z.object({
  principal: z.string(),
  /** Map: the value this party wrote (plain JSON; null when it deleted the key). Text: this party's version of the stretch. */
  value: z.unknown(),
  /** Map: the party deleted the key. */
  deleted: z.boolean().optional(),
  /** Map: the value with its Yjs types, what a resolution picking this party writes back. */
  typed: TypedValueSchema.optional(),
})
export type ConflictParty = z.infer<typeof ConflictPartySchema>

export const ConflictResolutionSchema = z.object({
  by: z.string(),
  /** A party's principal whose value was kept, or 'custom' for a new value. */
  choice: z.string(),
  value: z.unknown(),
  at: z.number(),
  /** The proposer whose proposal this resolution applied (approved by `by`, or applied by the proposer itself). */
  proposedBy: z.string().optional(),
})
export type ConflictResolution = z.infer<typeof ConflictResolutionSchema>

/** A proposed resolution with its reasoning, stored with the conflict until someone approves it. */
export const ResolutionProposalSchema = z.object({
  by: z.string(),
  /** A party's principal whose value it proposes to keep, or 'custom' for `value`. */
  choice: z.string(),
  /** The value the choice writes (the party's value, or the custom value). */
  value: z.unknown(),
  reasoning: z.string(),
  at: z.number(),
})
export type ResolutionProposal = z.infer<typeof ResolutionProposalSchema>

export const ConflictRecordSchema = z.object({
  /** Deterministic: hash of kind, doc, location and parties (see conflictId). */
  id: z.string(),
  kind: z.enum(CONFLICT_KINDS),
  /** Room name of the document, e.g. `w1/shared`. */
  doc: z.string(),
  location: ConflictLocationSchema,
  /** Sorted by principal; every principal involved in this collision (two or more). */
  parties: z.array(ConflictPartySchema).min(2),
  /** `decided`: an event the server already settled (claim races); nothing to resolve. */
  status: z.enum(['open', 'resolved', 'decided']),
  /** How it arose: a writer was offline, writers were online at once, or one side came before a server restart. */
  arose: z.enum(['offline', 'concurrent-online', 'after-restart']).optional(),
  /** What stands in the document now (computed when listed; map: plain value, `deleted` when the key is gone; text: the stretch now). */
  current: z.unknown().optional(),
  /** Text: up to 40 characters either side of the stretch as it reads now (computed when listed). */
  context: z.object({ before: z.string(), after: z.string() }).optional(),
  detectedAt: z.number(),
  /** Last time a party joined or a party's value changed. */
  updatedAt: z.number().optional(),
  resolution: ConflictResolutionSchema.optional(),
  /** Proposed resolutions (an arbiter's, or anyone's who may propose), one current per proposer. */
  proposals: z.array(ResolutionProposalSchema).optional(),
})
export type ConflictRecord = z.infer<typeof ConflictRecordSchema>
