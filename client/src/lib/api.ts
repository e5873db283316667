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
}

export interface Me {
  principal: Principal
  workspaces: WorkspaceSummary[]
}

export interface WorkspaceDetail extends WorkspaceSummary {
  members: Member[]
}

export type ApiErrorKind = 'unauthenticated' | 'forbidden' | 'not-found' | 'unreachable' | 'server'

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status = 0,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function errorKindForStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
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
    return this.#get<Me>('/api/me')
  }

  workspace(id: string): Promise<WorkspaceDetail> {
    return this.#get<WorkspaceDetail>(`/api/workspaces/${encodeURIComponent(id)}`)
  }

  async #get<T>(path: string): Promise<T> {
    let res: Response
    try {
      res = await this.#fetch(this.#base + path, {
        headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json' },
      })
    } catch {
      throw new ApiError('unreachable', 'The server could not be reached.')
    }
    if (res.ok) return (await res.json()) as T
    const message = await res
      .json()
      .then((body: { error?: { message?: string } }) => body.error?.message)
      .catch(() => undefined)
    throw new ApiError(errorKindForStatus(res.status), message ?? `HTTP ${res.status}`, res.status)
  }
}
