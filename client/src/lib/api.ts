// HTTP API client. Every failure becomes an ApiError with a kind the UI can explain;
// network failures are 'unreachable' so the app can fall back to cached data offline.

import type { Principal, PrincipalKind, Role, Visibility } from '../../../shared/model.ts'

export interface WorkspaceSummary {
  id: string
  title: string
  visibility: Visibility
  role: Role
}

export interface Member {
  id: string
  kind: PrincipalKind
  name: string
  role: Role
  /** Whether this member marked their review submitted (opens blind namespaces). */
  submitted?: boolean
  /** The colour the workspace gave this member: distinct among the first ten, kept while away. */
  color?: string
}

export interface Me {
  principal: Principal
  workspaces: WorkspaceSummary[]
}

export interface WorkspaceDetail extends WorkspaceSummary {
  members: Member[]
  /** Namespaces this caller may open now (the rule sockets obey). */
  readableNamespaces: string[]
}

export type ApiErrorKind = 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'unreachable' | 'server'

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status = 0,
    /** The server's machine-readable code (e.g. `held`, `stale_fence`). */
    readonly code = '',
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function errorKindForStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 409) return 'conflict'
  return 'server'
}

export interface ApiClientOptions {
  token: string
  /** Origin of the server; defaults to the page's own origin. */
  baseUrl?: string
  fetch?: typeof fetch
}

export class ApiClient {
  readonly #token: string
  readonly #base: string
  readonly #fetch: typeof fetch

  constructor({ token, baseUrl = '', fetch: f = globalThis.fetch.bind(globalThis) }: ApiClientOptions) {
    this.#token = token
    this.#base = baseUrl
    this.#fetch = f
  }

  me(): Promise<Me> {
    return this.get<Me>('/api/me')
  }

  workspace(id: string): Promise<WorkspaceDetail> {
    return this.get<WorkspaceDetail>(`/api/workspaces/${encodeURIComponent(id)}`)
  }

  get<T>(path: string): Promise<T> {
    return this.#request<T>('GET', path)
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#request<T>('POST', path, body)
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await this.#fetch(this.#base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch {
      throw new ApiError('unreachable', 'The server could not be reached.')
    }
    if (res.ok) return (await res.json()) as T
    const error = await res
      .json()
      .then((b: { error?: { message?: string; code?: string } }) => b.error)
      .catch(() => undefined)
    throw new ApiError(errorKindForStatus(res.status), error?.message ?? `HTTP ${res.status}`, res.status, error?.code ?? '')
  }
}

/** `/api/workspaces/<ws>` plus a path. */
export const wsPath = (ws: string, path: string): string => `/api/workspaces/${encodeURIComponent(ws)}${path}`
