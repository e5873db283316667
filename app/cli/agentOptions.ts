// `polyphony agent` flags and environment → options (pure, testable).

import { parseArgs } from 'node:util'
import { CONNECTION_FLAGS, connectionOf } from './connectionFlags.ts'
import { EXIT_CODES_HELP } from '../../agents/exitCodes.ts'
import { MAX_EVERY_MS, MIN_EVERY_MS, parseDuration } from '../../agents/runtime/schedule.ts'
import { DEFAULT_MODEL } from '../../agents/llm/defaultModel.ts'

export const AGENT_HELP = `polyphony agent — attach a reviewing agent to a workspace

Usage: polyphony agent --workspace W --token T [options]

Options (environment variable in brackets):
  --server URL               Polyphony server (default http://127.0.0.1:8080)   [POLYPHONY_URL]
  --workspace W              workspace id                                     [POLYPHONY_WORKSPACE]
  --token T                  the agent's token                                [POLYPHONY_TOKEN]
  --role R                   reviewer | fact-checker | summarizer | editor | arbiter (default reviewer);
                             arbiter: proposes a resolution, with its reasoning, for every open conflict
                             (without ANTHROPIC_API_KEY: the built-in heuristic arbiter, labelled as such)
  --model M                  Messages API model (default ${DEFAULT_MODEL})
  --offline-reviewer K       clarity | claims: use a built-in heuristic, no model or network
  --fallback K               clarity | claims | pause: when the model is unavailable (default pause)
  --doc NAME                 only this document (repeatable; default all, including new ones)
  --store DIR                local store: work offline and resume after restarts
  --once                     review once, wait until durable, exit (offline: exit 3, see below)
  --worker                   take tasks from the board instead: claim one, do it, complete it, repeat
                             (without ANTHROPIC_API_KEY: the built-in heuristic worker records each task in a note)
  --lease-ms N               worker lease length, renewed while working (default 30000)
  --instructions FILE        persona: added to the system prompt (the agent's own identity)
  --every D                  run on a schedule (e.g. 30s, 10m, 1h) instead of on every change;
                             each agent fires at its own offset in the period
  --max-tokens-per-hour N    pause when the model used N tokens this clock hour; resume the next hour
  -h, --help                 show this help

With neither --offline-reviewer nor ANTHROPIC_API_KEY a reviewer cannot think: pass one.
ANTHROPIC_BASE_URL points the model client elsewhere (e.g. a local test server).
The agent keeps a memory note (notes key "memory" in its namespace) that it reads at start.

${EXIT_CODES_HELP}`

export const ROLES = ['reviewer', 'fact-checker', 'summarizer', 'editor', 'arbiter'] as const
export type AgentRole = (typeof ROLES)[number]
const HEURISTICS = ['clarity', 'claims'] as const
export type HeuristicId = (typeof HEURISTICS)[number]

export interface AgentOptions {
  server: string
  workspace: string
  token: string
  role: AgentRole
  model: string
  offlineReviewer?: HeuristicId
  fallback: HeuristicId | 'pause'
  docs?: string[]
  storeDir?: string
  once: boolean
  apiKey?: string
  baseURL?: string
  worker: boolean
  leaseMs: number
  instructionsFile?: string
  everyMs?: number
  maxTokensPerHour?: number
}

export type Parsed<T> = { ok: true; options: T } | { ok: false; help: true } | { ok: false; help: false; error: string }

export function parseAgentOptions(argv: string[], env: Record<string, string | undefined>): Parsed<AgentOptions> {
  let v
  try {
    v = parseArgs({
      args: argv,
      options: {
        ...CONNECTION_FLAGS,
        role: { type: 'string' },
        model: { type: 'string' },
        'offline-reviewer': { type: 'string' },
        fallback: { type: 'string' },
        doc: { type: 'string', multiple: true },
        store: { type: 'string' },
        once: { type: 'boolean', default: false },
        worker: { type: 'boolean', default: false },
        'lease-ms': { type: 'string' },
        instructions: { type: 'string' },
        every: { type: 'string' },
        'max-tokens-per-hour': { type: 'string' },
      },
    }).values
  } catch (err) {
    return { ok: false, help: false, error: `${(err as Error).message}\nRun polyphony agent --help for the options.` }
  }
  if (v.help) return { ok: false, help: true }
  const fail = (error: string): Parsed<AgentOptions> => ({ ok: false, help: false, error })
  const connection = connectionOf(v, env)
  if (!connection.ok) return fail(connection.error)
  const role = (v.role ?? 'reviewer') as AgentRole
  if (!ROLES.includes(role)) return fail(`--role must be one of ${ROLES.join(', ')}`)
  const offline = v['offline-reviewer'] as HeuristicId | undefined
  if (offline && !HEURISTICS.includes(offline)) return fail(`--offline-reviewer must be clarity or claims`)
  const fallback = (v.fallback ?? 'pause') as HeuristicId | 'pause'
  if (fallback !== 'pause' && !HEURISTICS.includes(fallback)) return fail('--fallback must be clarity, claims or pause')
  const leaseMs = Number(v['lease-ms'] ?? 30_000)
  if (!Number.isInteger(leaseMs) || leaseMs < 100 || leaseMs > 600_000) return fail('--lease-ms must be a whole number of ms between 100 and 600000')
  const everyMs = v.every === undefined ? undefined : parseDuration(v.every)
  if (everyMs === null || (everyMs !== undefined && (everyMs < MIN_EVERY_MS || everyMs > MAX_EVERY_MS))) {
    return fail('--every must be a duration between 1s and 7 days, like 30s, 10m or 1h')
  }
  const maxTokensPerHour = v['max-tokens-per-hour'] === undefined ? undefined : Number(v['max-tokens-per-hour'])
  if (maxTokensPerHour !== undefined && (!Number.isInteger(maxTokensPerHour) || maxTokensPerHour < 1)) {
    return fail('--max-tokens-per-hour must be a positive whole number of tokens')
  }
  if (!offline && !env.ANTHROPIC_API_KEY && !v.worker && role !== 'arbiter') {
    return fail('no model: set ANTHROPIC_API_KEY, or pass --offline-reviewer clarity|claims to run a built-in heuristic reviewer')
  }
  return {
    ok: true,
    options: {
      ...connection.connection,
      role,
      model: v.model ?? DEFAULT_MODEL,
      offlineReviewer: offline,
      fallback,
      docs: v.doc,
      storeDir: v.store,
      once: v.once ?? false,
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      worker: v.worker ?? false,
      leaseMs,
      instructionsFile: v.instructions,
      everyMs,
      maxTokensPerHour,
    },
  }
}
