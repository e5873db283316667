// The request bodies and queries of the HTTP API, as the zod schemas the server validates with.
// Clients type their calls with z.input of the same schemas (shared/api/types.ts), so a field
// the server adds, renames or bounds differently cannot drift from what clients send.

import * as z from 'zod'
import { PRINCIPAL_KINDS, ROLES, VISIBILITIES } from '../model.ts'
import { ID_PATTERN } from '../rooms.ts'
import { MAX_TITLE_LENGTH } from '../documents.ts'
import { ANCHOR_LIMITS } from '../anchoring/index.ts'

// --- identities and workspaces -------------------------------------------------------------

export const IdSchema = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}')
/** Ids the server itself acts under (SERVER_PRINCIPAL = polyphony-server, and any future polyphony-*). */
export const RESERVED_PRINCIPAL_ID = /^polyphony-/i
export const PrincipalIdSchema = IdSchema.refine((id) => !RESERVED_PRINCIPAL_ID.test(id), {
  message: 'ids starting with "polyphony-" are reserved for the server itself: choose another id',
})
export const RoleSchema = z.enum(ROLES)
export const VisibilitySchema = z.enum(VISIBILITIES)

/** POST /api/principals (the registry adds an operator-chosen token for bootstrap files). */
export const CreatePrincipalBody = z.object({
  id: PrincipalIdSchema,
  kind: z.enum(PRINCIPAL_KINDS),
  name: z.string().min(1).max(200).optional(),
  admin: z.boolean().optional(),
})
/** POST /api/workspaces (the registry adds the owner made in the same transaction). */
export const CreateWorkspaceBody = z.object({
  id: IdSchema,
  title: z.string().min(1).max(200).optional(),
  visibility: VisibilitySchema.optional(),
})
/** PUT /api/workspaces/:ws/members/:principal */
export const MemberRoleBody = z.object({ role: RoleSchema })
/** PUT /api/workspaces/:ws/namespaces/:principal/submitted */
export const SubmittedBody = z.object({ submitted: z.boolean() })

// --- operational conflicts ------------------------------------------------------------------

/** Page size of the conflict list: default and most a caller may ask for. */
export const PAGE_DEFAULT = 50
export const PAGE_MAX = 200

export const ConflictsQuery = z.object({
  status: z.enum(['open', 'resolved', 'decided', 'all']).default('open'),
  doc: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
  cursor: z.string().max(500).optional(),
})
export const ResolveBody = z.union([z.object({ pick: z.string().min(1) }).strict(), z.object({ value: z.string().max(1_000_000) }).strict()])

// --- documents (REST for scripts) -----------------------------------------------------------

/** Largest document text a PUT or one edit may carry, in characters. */
export const MAX_TEXT_CHARS = 2_000_000
export const MAX_EDITS = 100

const QuoteSchema = z.object({ exact: z.string().min(1).max(10_000), prefix: z.string().max(10_000).optional(), suffix: z.string().max(10_000).optional() }).strict()
const EditSchema = z.union([
  z.object({ quote: QuoteSchema, text: z.string().max(MAX_TEXT_CHARS) }).strict(),
  z.object({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative(), text: z.string().max(MAX_TEXT_CHARS) }).strict(),
])
export const EditsBody = z.object({ version: z.string().optional(), edits: z.array(EditSchema).min(1).max(MAX_EDITS) }).strict()
export const PutDocumentBody = z.object({ text: z.string().max(MAX_TEXT_CHARS), title: z.string().max(MAX_TITLE_LENGTH).optional() }).strict()

// --- history --------------------------------------------------------------------------------

/** `to=current` in a diff: the room as it is now, not a stored version. */
export const CURRENT = 'current'
export const VersionNumber = z.coerce.number().int('a version is a whole number').min(1, 'versions start at 1')
export const VersionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })
export const DiffQuery = z.object({ from: VersionNumber, to: z.union([z.literal(CURRENT), VersionNumber]).default(CURRENT) })
export const LabelBody = z.object({ label: z.string().trim().max(200, 'a label has at most 200 characters').optional() }).strict()
export const RestoreBody = z.object({ version: z.number().int().min(1) }).strict()
export const HistoryDocId = z.string().min(1).max(200)
const Base64 = z.string().min(1).max(ANCHOR_LIMITS.snapshot, `at most ${ANCHOR_LIMITS.snapshot} characters`)
/** POST .../docs/:id/as-read: the text an annotation was made against. */
export const AsReadBody = z.union([z.object({ snapshot: Base64 }).strict(), z.object({ stateVector: Base64 }).strict()], {
  message: 'send { snapshot } or { stateVector }: the annotation anchor’s target.snapshot (exact) or target.stateVector (approximate)',
})

// --- review ---------------------------------------------------------------------------------

export const ReviewTarget = z.object({ owner: z.string().regex(ID_PATTERN, 'not a principal id'), id: z.string().min(1).max(200) })
/** Review actions without parameters accept no body or exactly `{}`. */
export const EmptyBody = z.object({}).strict()
export const ReplyBody = z.object({ text: z.string().trim().min(1, 'a reply needs some text').max(4000) }).strict()
export const DivergencesQuery = z.object({ doc: z.string().min(1).max(200), superseded: z.enum(['hide', 'show']).optional() })

// --- tasks and team metrics -----------------------------------------------------------------

export const NewTaskBody = z.object({
  id: IdSchema,
  title: z.string().min(1).max(500),
  description: z.string().max(20_000).optional(),
  dependsOn: z.array(IdSchema).max(100).optional(),
})
export const ClaimBody = z.object({ ttlMs: z.number().int().positive().optional() })
export const FenceBody = z.object({ fencingToken: z.number().int().nonnegative() })
export const RenewBody = FenceBody.extend({ ttlMs: z.number().int().positive().optional() })
export const CompleteBody = FenceBody.extend({ result: z.unknown().optional() })
const num = z.coerce.number().int()
export const TeamMetricsQuery = z.object({
  since: num.optional(),
  until: num.optional(),
  bucketMs: num
    .min(1000)
    .max(7 * 86_400_000)
    .default(60_000),
  windowMs: num.min(0).max(3_600_000).default(2_000),
})

const count = z.number().int().min(0).max(1e9).default(0)
/** Bounds of one agent report: model-call latencies it may carry, and the longest call it may name. */
export const AGENT_REPORT_LIMITS = { latencies: 500, callMs: 30 * 60_000 } as const
/** Model names become Prometheus label values: a safe charset and length (vendor names fit). */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,63}$/

/** POST /api/workspaces/:ws/agent-reports: an agent's model use since its last report (deltas). */
export const AgentReportBody = z.object({
  model: z.string().regex(MODEL_NAME, 'a model name is 1-64 letters, digits and . _ : @ / + - (starting with a letter or digit), e.g. claude-sonnet-4-5').optional(),
  modelCalls: count,
  inputTokens: count,
  outputTokens: count,
  /** Calls that failed after every retry. */
  errors: count,
  retries: count,
  breaker: z.enum(['closed', 'half-open', 'open']).optional(),
  /** Durations of the model calls since the last report (ms), for the latency histogram. */
  latencyMs: z
    .array(z.number().min(0).max(AGENT_REPORT_LIMITS.callMs))
    .max(AGENT_REPORT_LIMITS.latencies, `at most ${AGENT_REPORT_LIMITS.latencies} latencies per report: report more often`)
    .default([]),
})
