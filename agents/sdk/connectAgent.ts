// connectAgent(): attach a headless agent to a workspace. Start here.
//
//   const agent = await connectAgent({ url: 'http://127.0.0.1:8080', workspace: 'demo', token })
//   agent.annotate('announcement', { quote: 'many experts agree' }, { label: 'vague', comment: 'Which experts?' })
//   await agent.flushed()

import type { Principal } from '../../shared/model.ts'
import { Agent } from './Agent.ts'
import { ApiClient, ApiRequestError } from '../../shared/api/index.ts'
import { LocalStore } from './LocalStore.ts'
import { currentTraceparent } from '../../shared/telemetry/trace.ts'

export interface ConnectAgentOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080 */
  url: string
  workspace: string
  token: string
  /** Directory for the local store: keeps working offline and across restarts. */
  storeDir?: string
  /** Shown to people next to the agent's name (reviewer, fact-checker, ...). */
  role?: string
  /** Wait until both rooms are in sync before resolving (default true when online). */
  waitForSync?: boolean
}

/** A server that accepts the connection but never answers must not hang the agent. */
const REQUEST_TIMEOUT_MS = 15_000

export async function connectAgent(opts: ConnectAgentOptions): Promise<Agent> {
  const base = opts.url.replace(/\/+$/, '')
  const api = new ApiClient({ baseUrl: base, token: opts.token, timeoutMs: REQUEST_TIMEOUT_MS, headers: traceHeaders })
  const store = opts.storeDir ? new LocalStore(opts.storeDir) : undefined
  let principal: Principal
  let online = true
  try {
    const me = await api.me()
    if (!me.workspaces.some((w) => w.id === opts.workspace)) {
      throw new ApiRequestError(403, 'forbidden', `${me.principal.id} is not a member of workspace ${opts.workspace}`)
    }
    principal = me.principal
    store?.set('principal', JSON.stringify(principal))
  } catch (err) {
    const cached = store?.get('principal')
    if (!(err instanceof ApiRequestError) || err.code !== 'unreachable' || !cached) {
      store?.close()
      throw err
    }
    // Offline start: work from the local store under the identity we had last time.
    principal = JSON.parse(cached) as Principal
    online = false
  }
  const agent = new Agent({
    principal,
    workspace: opts.workspace,
    role: opts.role ?? 'agent',
    wsUrl: base.replace(/^http/, 'ws') + '/sync',
    token: opts.token,
    api,
    store,
  })
  if (online && opts.waitForSync !== false) {
    try {
      await agent.whenSynced()
    } catch (err) {
      agent.close()
      throw err
    }
  }
  return agent
}

/** The active span's trace context for the server's HTTP span (nothing when untraced). */
function traceHeaders(): Record<string, string> {
  const traceparent = currentTraceparent()
  return traceparent ? { traceparent } : {}
}
