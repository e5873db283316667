// Yjs values as typed descriptions (shared/conflicts TypedValue) and back: a record keeps what a
// party wrote with its types, and a resolution rebuilds exactly that (a Y.Map stays a Y.Map,
// a Y.Text keeps its formatting), so picking a side never flattens or empties it.
import * as Y from 'yjs'
import type { TypedValue } from '../../shared/conflicts/index.ts'

/** Which items of a type count as its content (live ones, or "as its writer left it"). */
export type Keep = (item: Y.Item) => boolean

export const LIVE: Keep = (item) => !item.deleted

/** Bounds the walk of a large value: a record keeps at most this many items of it. */
const MAX_ITEMS = 100_000

type Delta = Extract<TypedValue, { t: 'text' }>['delta']

/** The value at `offset` of a map item's content; null when its content was garbage-collected. */
export function describeItem(item: Y.Item, offset: number, keep: Keep): TypedValue | null {
  const content = item.content
  if (content instanceof Y.ContentDeleted) return null
  if (content instanceof Y.ContentType) return describeType(content.type as Y.AbstractType<unknown>, keep, { n: 0 })
  const v: unknown = content.getContent()[offset]
  return { t: 'json', v: v instanceof Uint8Array ? Array.from(v) : (v ?? null) }
}

/** A live value as Y.Map.get returns it. */
export function describeValue(v: unknown): TypedValue {
  if (v instanceof Y.AbstractType) return describeType(v as Y.AbstractType<unknown>, LIVE, { n: 0 })
  return { t: 'json', v: v instanceof Uint8Array ? Array.from(v) : (v ?? null) }
}

function describeType(type: Y.AbstractType<unknown>, keep: Keep, budget: { n: number }): TypedValue {
  if (type instanceof Y.Map) {
    const entries: Record<string, TypedValue> = {}
    for (const [key, item] of type._map) {
      if (!keep(item) || ++budget.n > MAX_ITEMS) continue
      const v = describeItem(item, item.length - 1, keep)
      if (v !== null) entries[key] = v
    }
    return { t: 'map', entries }
  }
  if (type instanceof Y.Text) return { t: 'text', delta: textDelta(type, keep, budget) }
  if (type instanceof Y.Array) {
    const items: TypedValue[] = []
    for (let it = type._start; it !== null && budget.n < MAX_ITEMS; it = it.right) {
      if (!keep(it) || !it.countable) continue
      for (let i = 0; i < it.length; i++, budget.n++) {
        const v = describeItem(it, i, keep)
        if (v !== null) items.push(v)
      }
    }
    return { t: 'array', items }
  }
  // XML and sub-documents are not used in shared rooms: keep their JSON form.
  return { t: 'json', v: type.toJSON() }
}

function textDelta(text: Y.Text, keep: Keep, budget: { n: number }): Delta {
  const delta: Delta = []
  let attributes: Record<string, unknown> = {}
  const push = (insert: string | Record<string, unknown>) => {
    const attrs = Object.keys(attributes).length > 0 ? { ...attributes } : undefined
    const last = delta.at(-1)
    if (typeof insert === 'string' && last && typeof last.insert === 'string' && JSON.stringify(last.attributes) === JSON.stringify(attrs)) {
      last.insert += insert
      return
    }
    delta.push(attrs ? { insert, attributes: attrs } : { insert })
  }
  for (let it = text._start; it !== null && budget.n++ < MAX_ITEMS; it = it.right) {
    if (!keep(it)) continue
    const c = it.content
    if (c instanceof Y.ContentString) push(c.str)
    else if (c instanceof Y.ContentEmbed) push(c.embed as Record<string, unknown>)
    else if (c instanceof Y.ContentFormat) {
      const next = { ...attributes }
      if (c.value === null) delete next[c.key]
      else next[c.key] = c.value
      attributes = next
    }
  }
  return delta
}

/** The plain JSON a person reads (what toJSON() would give); null for a deleted key. */
export function plainOf(v: TypedValue): unknown {
  switch (v.t) {
    case 'json':
      return v.v
    case 'deleted':
      return null
    case 'map':
      return Object.fromEntries(Object.entries(v.entries).map(([k, e]) => [k, plainOf(e)]))
    case 'array':
      return v.items.map(plainOf)
    case 'text':
      return v.delta.map((d) => (typeof d.insert === 'string' ? d.insert : '')).join('')
  }
}

/** A fresh Yjs value (prelim types fill in when inserted) with the described structure. */
export function buildValue(v: TypedValue): unknown {
  switch (v.t) {
    case 'json':
    case 'deleted':
      return v.t === 'json' ? v.v : null
    case 'map': {
      const map = new Y.Map<unknown>()
      for (const [k, e] of Object.entries(v.entries)) map.set(k, buildValue(e))
      return map
    }
    case 'array': {
      const arr = new Y.Array<unknown>()
      arr.push(v.items.map(buildValue))
      return arr
    }
    case 'text': {
      const text = new Y.Text()
      text.applyDelta(v.delta)
      return text
    }
  }
}
