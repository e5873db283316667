// The typed client of the HTTP API, for the agent SDK, the CLI and the browser: one method per
// endpoint a client calls, typed with shared/api/types.ts; every failure is an ApiRequestError
// carrying the server's `{ error: { code, message, ...details } }`.

import type { Role, Workspace } from '../model.ts'
import type { ConflictRecord } from '../conflicts/types.ts'
import type { TeamMetrics } from '../coord/teamMetrics.ts'
import type { Divergences } from '../review/divergences.ts'
import type { ProposalView } from '../review/state.ts'
import { ApiRequestError } from './ApiRequestError.ts'
import type * as T from './types.ts'

export interface ApiClientOptions {
  token: string
  /** Origin of the server, e.g. http://127.0.0.1:8080; '' (the default) is the page's own origin. */
  baseUrl?: string
  /** Give up on a request after this long (a server that accepts but never answers); no limit by default. */
  timeoutMs?: number
  /** Extra headers for each request, read when it is sent (the SDK adds the active trace context). */
  headers?: () => Record<string, string>
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** `/api/workspaces/<ws>` plus a path. */
export const workspacePath = (ws: string, path = ''): string => `/api/workspaces/${encodeURIComponent(ws)}${path}`

const enc = encodeURIComponent
const review = (ws: string, kind: 'annotations' | 'proposals', owner: string, id: string, action = '') =>
  workspacePath(ws, `/${kind}/${enc(owner)}/${enc(id)}${action && `/${action}`}`)
const docPath = (ws: string, doc: string, rest: string) => workspacePath(ws, `/docs/${enc(doc)}${rest}`)
const taskPath = (ws: string, id: string, action = '') => workspacePath(ws, `/tasks/${enc(id)}${action && `/${action}`}`)

/** `?a=1&b=x` from the defined entries; '' when there are none. */
function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])))
  return q.size > 0 ? `?${q}` : ''
}

export class ApiClient {
  readonly baseUrl: string
  readonly #token: string
  readonly #timeoutMs?: number
  readonly #headers?: () => Record<string, string>

  constructor({ token, baseUrl = '', timeoutMs, headers }: ApiClientOptions) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.#token = token
    this.#timeoutMs = timeoutMs
    this.#headers = headers
  }

  // --- identity and administration -----------------------------------------------------------

  me = () => this.#request<T.Me>('GET', '/api/me')
  createPrincipal = (body: T.CreatePrincipalBody) => this.#request<T.CreatedPrincipal>('POST', '/api/principals', body)
  principals = () => this.#request<{ principals: T.PrincipalListing[] }>('GET', '/api/principals')
  revokePrincipal = (id: string) => this.#request<T.RevokedPrincipal>('DELETE', `/api/principals/${enc(id)}`)
  rotateToken = (id: string) => this.#request<T.RotatedToken>('POST', `/api/principals/${enc(id)}/token`)
  createWorkspace = (body: T.CreateWorkspaceBody) => this.#request<Workspace>('POST', '/api/workspaces', body)

  // --- one workspace -------------------------------------------------------------------------

  workspace = (ws: string) => this.#request<T.WorkspaceDetail>('GET', workspacePath(ws))
  setMemberRole = (ws: string, principal: string, role: Role) => this.#request<T.MemberRoleSet>('PUT', workspacePath(ws, `/members/${enc(principal)}`), { role })
  removeMember = (ws: string, principal: string) => this.#request<T.MemberRemoved>('DELETE', workspacePath(ws, `/members/${enc(principal)}`))
  setSubmitted = (ws: string, principal: string, submitted: boolean) =>
    this.#request<T.SubmittedSet>('PUT', workspacePath(ws, `/namespaces/${enc(principal)}/submitted`), { submitted })

  // --- operational conflicts and review ------------------------------------------------------

  conflicts = (ws: string, q: T.ConflictsQuery = {}) => this.#request<T.ConflictPage>('GET', workspacePath(ws, `/conflicts${query(q)}`))
  resolveConflict = (ws: string, id: string, choice: T.ResolveBody) => this.#request<ConflictRecord>('POST', workspacePath(ws, `/conflicts/${enc(id)}/resolve`), choice)
  /** A proposed resolution beside the conflict (this caller's earlier one is replaced). */
  proposeResolution = (ws: string, id: string, body: T.ProposalBody) => this.#request<T.ProposalSubmitted>('POST', workspacePath(ws, `/conflicts/${enc(id)}/proposals`), body)
  approveProposal = (ws: string, id: string, proposer: string) =>
    this.#request<ConflictRecord>('POST', workspacePath(ws, `/conflicts/${enc(id)}/proposals/${enc(proposer)}/approve`), {})
  divergences = (ws: string, q: T.DivergencesQuery) => this.#request<Divergences>('GET', workspacePath(ws, `/divergences${query(q)}`))
  keep = (ws: string, owner: string, id: string) => this.#request<T.Kept>('POST', review(ws, 'annotations', owner, id, 'keep'), {})
  reply = (ws: string, owner: string, id: string, text: string) => this.#request<T.Replied>('POST', review(ws, 'annotations', owner, id, 'reply'), { text })
  promote = (ws: string, owner: string, id: string) => this.#request<T.Promoted>('POST', review(ws, 'annotations', owner, id, 'promote'), {})
  proposal = (ws: string, owner: string, id: string) => this.#request<ProposalView>('GET', review(ws, 'proposals', owner, id))
  /** Throws 409 `stale`, `proposal_conflict` (details.conflict) or `already_decided`. */
  accept = (ws: string, owner: string, id: string) => this.#request<T.Accepted>('POST', review(ws, 'proposals', owner, id, 'accept'), {})
  reject = (ws: string, owner: string, id: string) => this.#request<T.Rejected>('POST', review(ws, 'proposals', owner, id, 'reject'), {})

  // --- history (docs/history.md) --------------------------------------------------------------

  versions = (ws: string, doc: string, limit?: number) => this.#request<{ versions: T.VersionSummary[] }>('GET', docPath(ws, doc, `/versions${query({ limit })}`))
  versionText = (ws: string, doc: string, n: number) => this.#request<{ version: number; text: string }>('GET', docPath(ws, doc, `/versions/${n}`))
  /** The changes from version `from` to `to` (the current text by default), by author. */
  diff = (ws: string, doc: string, from: number, to: number | 'current' = 'current') =>
    this.#request<{ spans: T.DiffSpan[] }>('GET', docPath(ws, doc, `/diff${query({ from, to })}`))
  blame = (ws: string, doc: string) => this.#request<{ runs: T.BlameRun[] }>('GET', docPath(ws, doc, '/blame'))
  /** The text an annotation was made against: exact from its snapshot, approximate from a state vector. */
  asRead = (ws: string, doc: string, body: T.AsReadBody) => this.#request<{ text: string; exact: boolean }>('POST', docPath(ws, doc, '/as-read'), body)
  restore = (ws: string, doc: string, version: number) => this.#request<{ edits: number; text: string }>('POST', docPath(ws, doc, '/restore'), { version })
  createVersion = (ws: string, doc: string, label: string) => this.#request<T.VersionSummary>('POST', docPath(ws, doc, '/versions'), { label })

  // --- tasks and team metrics (docs/tasks.md) ------------------------------------------------

  tasks = (ws: string) => this.#request<T.TaskList>('GET', workspacePath(ws, '/tasks'))
  task = (ws: string, id: string) => this.#request<T.TaskAnswer>('GET', taskPath(ws, id))
  createTask = (ws: string, body: T.NewTaskBody) => this.#request<T.TaskCreated>('POST', workspacePath(ws, '/tasks'), body)
  /** Throws 409 `held` (details.owner), `blocked` (details.unfinished) or `done`. */
  claim = (ws: string, id: string, ttlMs?: number) => this.#request<T.Granted>('POST', taskPath(ws, id, 'claim'), ttlMs === undefined ? {} : { ttlMs })
  /** Throws 409 `stale_fence` or `not_holder` (details.current). */
  renew = (ws: string, id: string, fencingToken: number, ttlMs?: number) => this.#request<T.Granted>('POST', taskPath(ws, id, 'renew'), { fencingToken, ttlMs })
  release = (ws: string, id: string, fencingToken: number) => this.#request<T.TaskAnswer>('POST', taskPath(ws, id, 'release'), { fencingToken })
  complete = (ws: string, id: string, fencingToken: number, result?: unknown) => this.#request<T.TaskAnswer>('POST', taskPath(ws, id, 'complete'), { fencingToken, result })
  teamMetrics = (ws: string, q: T.TeamMetricsQuery = {}) => this.#request<TeamMetrics>('GET', workspacePath(ws, `/metrics${query(q)}`))
  reportAgentUse = (ws: string, body: T.AgentReportBody) => this.#request<T.AgentReported>('POST', workspacePath(ws, '/agent-reports'), body)

  async #request<R>(method: Method, path: string, body?: unknown): Promise<R> {
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...this.#headers?.(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: this.#timeoutMs === undefined ? undefined : AbortSignal.timeout(this.#timeoutMs),
    }
    const url = this.baseUrl + path
    let res: Response
    try {
      res = await fetch(url, init)
    } catch (err) {
      throw new ApiRequestError(0, 'unreachable', `cannot reach ${this.baseUrl || 'the server'}: ${(err as Error).message}`)
    }
    const data = (await res.json().catch(() => null)) as unknown
    if (res.ok) return data as R
    const { code = 'http_error', message = `${method} ${path} failed with ${res.status}`, ...details } = errorObject(data)
    throw new ApiRequestError(res.status, code, message, details)
  }
}

/** The `error` object of a refusal, when the answer had one. */
function errorObject(data: unknown): { code?: string; message?: string } & Record<string, unknown> {
  const error = (data as { error?: unknown } | null)?.error
  return typeof error === 'object' && error !== null ? (error as { code?: string; message?: string }) : {}
}
