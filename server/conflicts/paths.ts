// Key paths of Yjs types from the root, e.g. ['tasks', 't1'] for the task map of t1.
import * as Y from 'yjs'

export class TypePaths {
  #roots = new Map<Y.AbstractType<unknown>, string>()
  #doc: Y.Doc

  constructor(doc: Y.Doc) {
    this.#doc = doc
  }

  #rootName(type: Y.AbstractType<unknown>): string {
    let name = this.#roots.get(type)
    if (name === undefined) {
      for (const [key, value] of this.#doc.share) if (value === type) name = key
      name ??= '?'
      this.#roots.set(type, name)
    }
    return name
  }

  /** Path of a type; elements inside arrays appear as `#client:clock` of their item. */
  of(type: Y.AbstractType<unknown>): string[] {
    const path: string[] = []
    let current: Y.AbstractType<unknown> = type
    while (current._item !== null) {
      const item: Y.Item = current._item
      path.push(item.parentSub ?? `#${item.id.client}:${item.id.clock}`)
      current = item.parent as Y.AbstractType<unknown>
    }
    path.push(this.#rootName(current))
    return path.reverse()
  }
}
