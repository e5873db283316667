// How a task looks in the task room `W/tasks`: Y.Map('tasks') of id → Y.Map with the fields of
// TaskDocFields. Only the server writes that room (as SERVER_PRINCIPAL, from its task store);
// a client's update to it is refused (shared/access.ts), so the board cannot be forged.

import * as Y from 'yjs'
import type { ClaimEvent, Task } from './types.ts'

export const TASKS_MAP = 'tasks'
/** How many lifecycle events each task keeps in its `history` field. */
export const DOC_HISTORY_LIMIT = 20

export interface TaskHistoryItem {
  at: number
  event: ClaimEvent
  principal: string
  fencingToken: number | null
}

/** What the task room shows of a task: the task's own fields plus recent history. */
export type TaskDocFields = Pick<Task, 'title' | 'description' | 'dependsOn' | 'status' | 'owner' | 'leaseExpiresAt' | 'fencingToken' | 'result'> & {
  history: TaskHistoryItem[]
}

export function taskDocFields(task: Task, history: TaskHistoryItem[]): TaskDocFields {
  return {
    title: task.title,
    description: task.description,
    dependsOn: task.dependsOn,
    status: task.status,
    owner: task.owner,
    leaseExpiresAt: task.leaseExpiresAt,
    fencingToken: task.fencingToken,
    result: task.result ?? null,
    history: history.slice(-DOC_HISTORY_LIMIT),
  }
}

/** Writes only the fields that differ, so an unchanged task produces no Yjs update. */
export function writeTaskToDoc(doc: Y.Doc, id: string, fields: TaskDocFields): void {
  const tasks = doc.getMap<Y.Map<unknown>>(TASKS_MAP)
  let entry = tasks.get(id)
  if (!(entry instanceof Y.Map)) {
    entry = new Y.Map<unknown>()
    tasks.set(id, entry)
  }
  for (const [key, value] of Object.entries(fields)) {
    if (JSON.stringify(entry.get(key) ?? null) !== JSON.stringify(value ?? null)) entry.set(key, value ?? null)
  }
}

/** Reads one task's fields back (the browser board and agents use this). */
export function readTaskFromDoc(doc: Y.Doc, id: string): TaskDocFields | null {
  const entry = doc.getMap<Y.Map<unknown>>(TASKS_MAP).get(id)
  if (!(entry instanceof Y.Map)) return null
  const get = <T>(k: keyof TaskDocFields, fallback: T): T => (entry.get(k) as T | undefined) ?? fallback
  return {
    title: get('title', ''),
    description: get('description', ''),
    dependsOn: get('dependsOn', []),
    status: get('status', 'open'),
    owner: get('owner', null),
    leaseExpiresAt: get('leaseExpiresAt', null),
    fencingToken: get('fencingToken', 0),
    result: get('result', null),
    history: get('history', []),
  }
}

/** Every task id in the document. */
export function taskIdsInDoc(doc: Y.Doc): string[] {
  return [...doc.getMap(TASKS_MAP).keys()]
}
