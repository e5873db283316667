// `polyphony agent` flags and environment → options (pure, testable).

import { parseArgs } from 'node:util'

export const AGENT_HELP = `polyphony agent — attach a reviewing agent to a workspace

Usage: polyphony agent --workspace W --token T [options]

Options (environment variable in brackets):
  --server URL               Polyphony server (default http://127.0.0.1:8080)   [POLYPHONY_URL]
  --workspace W              workspace id                                     [POLYPHONY_WORKSPACE]
  --token T                  the agent's token                                [POLYPHONY_TOKEN]
  --role R                   reviewer | fact-checker | summarizer | editor (default reviewer)
  --model M                  Messages API model (default claude-sonnet-4-5)
  --offline-reviewer K       clarity | claims: use a built-in heuristic, no model or network
  --fallback K               clarity | claims | pause: when the model is unavailable (default pause)
  --doc NAME                 only this document (repeatable; default all, including new ones)
  --store DIR                local store: work offline and resume after restarts
  --once                     review once, wait until durable, exit
  -h, --help                 show this help

With neither --offline-reviewer nor ANTHROPIC_API_KEY the agent cannot think: pass one.
ANTHROPIC_BASE_URL points the model client elsewhere (e.g. a local test server).`

export const ROLES = ['reviewer', 'fact-checker', 'summarizer', 'editor'] as const
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
}

export type Parsed<T> = { ok: true; options: T } | { ok: false; help: true } | { ok: false; help: false; error: string }

export function parseAgentOptions(argv: string[], env: Record<string, string | undefined>): Parsed<AgentOptions> {
  let v
  try {
    v = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        workspace: { type: 'string' },
        token: { type: 'string' },
        role: { type: 'string' },
        model: { type: 'string' },
        'offline-reviewer': { type: 'string' },
        fallback: { type: 'string' },
        doc: { type: 'string', multiple: true },
        store: { type: 'string' },
        once: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values
  } catch (err) {
    return { ok: false, help: false, error: `${(err as Error).message}\nRun polyphony agent --help for the options.` }
  }
  if (v.help) return { ok: false, help: true }
  const fail = (error: string): Parsed<AgentOptions> => ({ ok: false, help: false, error })
  const workspace = v.workspace ?? env.POLYPHONY_WORKSPACE
  const token = v.token ?? env.POLYPHONY_TOKEN
  if (!workspace) return fail('--workspace is required (or set POLYPHONY_WORKSPACE)')
  if (!token) return fail('--token is required (or set POLYPHONY_TOKEN)')
  const role = (v.role ?? 'reviewer') as AgentRole
  if (!ROLES.includes(role)) return fail(`--role must be one of ${ROLES.join(', ')}`)
  const offline = v['offline-reviewer'] as HeuristicId | undefined
  if (offline && !HEURISTICS.includes(offline)) return fail(`--offline-reviewer must be clarity or claims`)
  const fallback = (v.fallback ?? 'pause') as HeuristicId | 'pause'
  if (fallback !== 'pause' && !HEURISTICS.includes(fallback)) return fail('--fallback must be clarity, claims or pause')
  if (!offline && !env.ANTHROPIC_API_KEY) {
    return fail('no model: set ANTHROPIC_API_KEY, or pass --offline-reviewer clarity|claims to run a built-in heuristic reviewer')
  }
  return {
    ok: true,
    options: {
      server: (v.server ?? env.POLYPHONY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
      workspace,
      token,
      role,
      model: v.model ?? 'claude-sonnet-4-5',
      offlineReviewer: offline,
      fallback,
      docs: v.doc,
      storeDir: v.store,
      once: v.once ?? false,
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
    },
  }
}
