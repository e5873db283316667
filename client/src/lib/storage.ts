// What the browser remembers between visits: the token and the last answers from the API,
// so a reload without network still shows the workspace.

import type { Me, WorkspaceDetail } from '../../../shared/api/index.ts'

const TOKEN = 'polyphony.token'
const ME = 'polyphony.me'
const WORKSPACE = 'polyphony.workspace.'

export class LocalStore {
  readonly #storage: Storage

  constructor(storage: Storage = window.localStorage) {
    this.#storage = storage
  }

  get token(): string | null {
    return this.#storage.getItem(TOKEN)
  }

  set token(value: string | null) {
    if (value === null) this.#storage.removeItem(TOKEN)
    else this.#storage.setItem(TOKEN, value)
  }

  get me(): Me | null {
    return this.#read<Me>(ME)
  }

  set me(value: Me | null) {
    this.#write(ME, value)
  }

  workspace(id: string): WorkspaceDetail | null {
    return this.#read<WorkspaceDetail>(WORKSPACE + id)
  }

  saveWorkspace(detail: WorkspaceDetail): void {
    this.#write(WORKSPACE + detail.id, detail)
  }

  /** Forget everything about the signed-in identity (sign out). */
  clear(): void {
    for (const key of Object.keys(this.#storage)) if (key.startsWith('polyphony.')) this.#storage.removeItem(key)
  }

  #read<T>(key: string): T | null {
    const raw = this.#storage.getItem(key)
    if (raw === null) return null
    try {
      return JSON.parse(raw) as T
    } catch {
      return null
    }
  }

  #write(key: string, value: unknown): void {
    if (value === null) this.#storage.removeItem(key)
    else this.#storage.setItem(key, JSON.stringify(value))
  }
}

/** Reads `#token=...` from an invite link. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const token = params.get('token')
  return token && token.trim() ? token.trim() : null
}
