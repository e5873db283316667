// Operational limits from `polyphony serve` flags and environment (server/core/limits.ts holds
// what each one means and its default). Pure: one table drives the flags, the environment
// names, the help text and the validation, so a limit cannot be settable in one and not another.

import { DEFAULT_LIMITS, type Limits } from './core/limits.ts'
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http/limits.ts'

type Unit = 'bytes' | 'count' | 'ms'

/** Socket limits go to the sync core (`limits`), HTTP ones to the HTTP edge (`httpLimits`). */
type Target = { scope: 'sync'; key: keyof Limits } | { scope: 'http'; key: keyof HttpLimits }

type LimitSpec = Target & {
  flag: string
  env: string
  unit: Unit
  min: number
  max: number
  help: string
}

const defaultOf = (spec: Target): number => (spec.scope === 'sync' ? DEFAULT_LIMITS[spec.key] : DEFAULT_HTTP_LIMITS[spec.key])

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB
const HOUR = 3_600_000

export const LIMIT_SPECS: readonly LimitSpec[] = [
  {
    scope: 'sync',
    key: 'maxMessageBytes',
    flag: 'max-message-bytes',
    env: 'POLYPHONY_MAX_MESSAGE_BYTES',
    unit: 'bytes',
    min: 1 * KiB,
    max: 256 * MiB,
    help: 'largest WebSocket message (bigger: close 1009)',
  },
  {
    scope: 'sync',
    key: 'maxRoomsPerPrincipal',
    flag: 'max-rooms-per-principal',
    env: 'POLYPHONY_MAX_ROOMS_PER_PRINCIPAL',
    unit: 'count',
    min: 1,
    max: 100_000,
    help: 'rooms one principal may have open (more: 4429)',
  },
  {
    scope: 'sync',
    key: 'maxSocketsPerPrincipal',
    flag: 'max-sockets-per-principal',
    env: 'POLYPHONY_MAX_SOCKETS_PER_PRINCIPAL',
    unit: 'count',
    min: 1,
    max: 100_000,
    help: 'sockets one principal may have open (more: 4429)',
  },
  {
    scope: 'sync',
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'POLYPHONY_MAX_CONNECTIONS',
    unit: 'count',
    min: 1,
    max: 1_000_000,
    help: 'sockets the server accepts in all',
  },
  {
    scope: 'sync',
    key: 'messageBurst',
    flag: 'message-burst',
    env: 'POLYPHONY_MESSAGE_BURST',
    unit: 'count',
    min: 1,
    max: 10_000_000,
    help: 'per-socket rate bucket: message burst',
  },
  {
    scope: 'sync',
    key: 'messagesPerSecond',
    flag: 'messages-per-second',
    env: 'POLYPHONY_MESSAGES_PER_SECOND',
    unit: 'count',
    min: 1,
    max: 10_000_000,
    help: 'per-socket rate bucket: steady messages/s',
  },
  { scope: 'sync', key: 'byteBurst', flag: 'byte-burst', env: 'POLYPHONY_BYTE_BURST', unit: 'bytes', min: 1 * KiB, max: 4 * GiB, help: 'per-socket rate bucket: byte burst' },
  {
    scope: 'sync',
    key: 'bytesPerSecond',
    flag: 'bytes-per-second',
    env: 'POLYPHONY_BYTES_PER_SECOND',
    unit: 'bytes',
    min: 1 * KiB,
    max: 4 * GiB,
    help: 'per-socket rate bucket: steady bytes/s',
  },
  {
    scope: 'sync',
    key: 'maxBufferedBytes',
    flag: 'max-buffered-bytes',
    env: 'POLYPHONY_MAX_BUFFERED_BYTES',
    unit: 'bytes',
    min: 64 * KiB,
    max: 4 * GiB,
    help: 'bytes queued to a slow reader before it is cut (4508)',
  },
  {
    scope: 'sync',
    key: 'maxPendingBytesPerRoom',
    flag: 'max-pending-bytes-per-room',
    env: 'POLYPHONY_MAX_PENDING_BYTES_PER_ROOM',
    unit: 'bytes',
    min: 1 * KiB,
    max: 1 * GiB,
    help: 'updates with missing dependencies kept per room',
  },
  {
    scope: 'sync',
    key: 'maxQueuedUpdatesPerRoom',
    flag: 'max-queued-updates-per-room',
    env: 'POLYPHONY_MAX_QUEUED_UPDATES_PER_ROOM',
    unit: 'count',
    min: 1,
    max: 1_000_000,
    help: 'updates awaiting disk per room before writers pause',
  },
  { scope: 'sync', key: 'idleRoomMs', flag: 'idle-room-ms', env: 'POLYPHONY_IDLE_ROOM_MS', unit: 'ms', min: 0, max: 24 * HOUR, help: 'an empty room stays loaded this long' },
  { scope: 'sync', key: 'pingIntervalMs', flag: 'ping-interval-ms', env: 'POLYPHONY_PING_INTERVAL_MS', unit: 'ms', min: 1_000, max: HOUR, help: 'socket liveness ping interval' },
  {
    scope: 'http',
    key: 'maxBodyBytes',
    flag: 'max-body-bytes',
    env: 'POLYPHONY_MAX_BODY_BYTES',
    unit: 'bytes',
    min: 1 * KiB,
    max: 256 * MiB,
    help: 'largest HTTP request body (more: 413)',
  },
  {
    scope: 'http',
    key: 'maxEventStreamsPerPrincipal',
    flag: 'max-event-streams-per-principal',
    env: 'POLYPHONY_MAX_EVENT_STREAMS_PER_PRINCIPAL',
    unit: 'count',
    min: 1,
    max: 10_000,
    help: 'open event streams per principal (more: 429)',
  },
  {
    scope: 'http',
    key: 'maxEventStreams',
    flag: 'max-event-streams',
    env: 'POLYPHONY_MAX_EVENT_STREAMS',
    unit: 'count',
    min: 1,
    max: 1_000_000,
    help: 'open event streams in all (more: 429)',
  },
  {
    scope: 'http',
    key: 'maxAuthFailures',
    flag: 'max-auth-failures',
    env: 'POLYPHONY_MAX_AUTH_FAILURES',
    unit: 'count',
    min: 1,
    max: 1_000_000,
    help: 'unknown tokens per address per window (more: 429)',
  },
  {
    scope: 'http',
    key: 'historyReadBurst',
    flag: 'history-read-burst',
    env: 'POLYPHONY_HISTORY_READ_BURST',
    unit: 'count',
    min: 1,
    max: 100_000,
    help: 'history reads (diffs, blames, texts at a version or as read, exports) one principal may make at once (more: 429)',
  },
  {
    scope: 'http',
    key: 'historyReadsPerMinute',
    flag: 'history-reads-per-minute',
    env: 'POLYPHONY_HISTORY_READS_PER_MINUTE',
    unit: 'count',
    min: 1,
    max: 1_000_000,
    help: 'such history reads per principal per minute after the burst',
  },
]

/** parseArgs option declarations for every limit flag. */
export const LIMIT_FLAG_OPTIONS: Record<string, { type: 'string' }> = Object.fromEntries(LIMIT_SPECS.map((s) => [s.flag, { type: 'string' as const }]))

const SUFFIX: Record<string, number> = { '': 1, k: KiB, kib: KiB, m: MiB, mib: MiB, g: GiB, gib: GiB }

function shown(spec: LimitSpec, n: number): string {
  if (spec.unit !== 'bytes') return String(n)
  for (const [name, size] of [
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ] as const)
    if (n >= size && n % size === 0) return `${n / size}${name}`
  return String(n)
}

export const LIMITS_HELP = [
  'Limits (integers; byte sizes may end in KiB, MiB or GiB; environment variable in brackets):',
  ...LIMIT_SPECS.map((s) => `  --${s.flag} N  [${s.env}]\n      ${s.help}; default ${shown(s, defaultOf(s))}, ${shown(s, s.min)}..${shown(s, s.max)}`),
].join('\n')

export type LimitsResult = { ok: true; limits: Partial<Limits>; httpLimits: Partial<HttpLimits> } | { ok: false; error: string }

/** Limits set by flags (which win) or the environment; an absent one keeps its default. */
export function parseLimits(flags: Record<string, unknown>, env: Record<string, string | undefined>): LimitsResult {
  const limits: Partial<Limits> = {}
  const httpLimits: Partial<HttpLimits> = {}
  for (const spec of LIMIT_SPECS) {
    const fromFlag = flags[spec.flag]
    const raw = typeof fromFlag === 'string' ? fromFlag : env[spec.env]
    if (raw === undefined || raw === '') continue
    const source = typeof fromFlag === 'string' ? `--${spec.flag}` : spec.env
    const value = parseAmount(raw, spec.unit)
    if (value === null) {
      const form = spec.unit === 'bytes' ? 'a whole number of bytes, optionally ending in KiB, MiB or GiB (e.g. 8MiB)' : 'a whole number'
      return { ok: false, error: `${source} must be ${form}, got "${raw.slice(0, 40)}"` }
    }
    if (value < spec.min || value > spec.max) {
      return { ok: false, error: `${source} must be from ${shown(spec, spec.min)} to ${shown(spec, spec.max)}, got ${shown(spec, value)}` }
    }
    if (spec.scope === 'sync') limits[spec.key] = value
    else httpLimits[spec.key] = value
  }
  return { ok: true, limits, httpLimits }
}

function parseAmount(raw: string, unit: Unit): number | null {
  const match = /^\s*(\d{1,16})\s*([a-zA-Z]*)\s*$/.exec(raw)
  if (!match) return null
  const suffix = match[2].toLowerCase()
  if (suffix !== '' && unit !== 'bytes') return null
  const scale = SUFFIX[suffix]
  if (scale === undefined) return null
  const value = Number(match[1]) * scale
  return Number.isSafeInteger(value) ? value : null
}
