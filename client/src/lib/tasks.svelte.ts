// The task board: read live from the task room `W/tasks` (only the server writes it, as a view
// of its SQLite truth; a client's update is refused), changed only through the HTTP API, which
// arbitrates claims.

import type * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import { TASKS_MAP, readTaskFromDoc, taskIdsInDoc, type TaskDocFields } from '../../../shared/coord/index.ts'
import type { TaskStatus } from '../../../shared/coord/index.ts'
import type { ApiClient } from '../../../shared/api/index.ts'

export interface BoardTask extends TaskDocFields {
  id: string
}

export interface NewTask {
  title: string
  description?: string
  dependsOn?: string[]
}

export const DEFAULT_TTL_MS = 5 * 60_000
const ID_MAX = 64

/** A readable id from the title, unique among `existing` (ids match [A-Za-z0-9][A-Za-z0-9._-]*). */
export function taskIdFor(title: string, existing: Iterable<string>): string {
  const base =
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, ID_MAX - 4) || 'task'
  const taken = new Set(existing)
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`
}

/** Tasks by column, each column ordered by id. */
export function byStatus(tasks: BoardTask[]): Record<TaskStatus, BoardTask[]> {
  const columns: Record<TaskStatus, BoardTask[]> = { open: [], claimed: [], done: [] }
  for (const t of [...tasks].sort((a, b) => a.id.localeCompare(b.id))) columns[t.status].push(t)
  return columns
}

export class TaskBoard {
  readonly #doc: Y.Doc
  readonly #api: ApiClient
  readonly #workspace: string
  readonly #subscribe: () => void

  constructor(doc: Y.Doc, api: ApiClient, workspace: string) {
    this.#doc = doc
    this.#api = api
    this.#workspace = workspace
    const map = doc.getMap(TASKS_MAP)
    this.#subscribe = createSubscriber((update) => {
      map.observeDeep(update)
      return () => map.unobserveDeep(update)
    })
  }

  get tasks(): BoardTask[] {
    this.#subscribe()
    return taskIdsInDoc(this.#doc).flatMap((id) => {
      const fields = readTaskFromDoc(this.#doc, id)
      return fields ? [{ id, ...fields }] : []
    })
  }

  async create(input: NewTask): Promise<string> {
    const id = taskIdFor(input.title, taskIdsInDoc(this.#doc))
    await this.#api.createTask(this.#workspace, { id, title: input.title, description: input.description ?? '', dependsOn: input.dependsOn ?? [] })
    return id
  }

  async claim(id: string, ttlMs = DEFAULT_TTL_MS): Promise<void> {
    await this.#api.claim(this.#workspace, id, ttlMs)
  }

  /** The fencing token in the document is the live lease's while the task is claimed. */
  async release(task: BoardTask): Promise<void> {
    await this.#api.release(this.#workspace, task.id, task.fencingToken)
  }

  async complete(task: BoardTask, result: string): Promise<void> {
    await this.#api.complete(this.#workspace, task.id, task.fencingToken, result)
  }
}
