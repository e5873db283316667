// A version vector (key -> counter that only grows) that shares structure between versions.
//
// The detector keeps what every write's author had seen, and most of those vectors differ from
// an earlier one in a few entries (a writer's own new clock, one more acknowledged delivery).
// Copying a whole Map per write made memory and time grow with writers × clients (2,000
// short-lived writers: 295 MiB and 55 ms per write). Here a vector is a stack of layers over a
// shared base: a new version stores only the entries it raises. Layers merge like a counter
// in base FOLD (a layer folds into the one below while that one is at most FOLD times its size),
// so the depth stays O(log n) and each entry is copied O(log n) times over its life.
//
// Values only grow: a layer's entry is always greater than the same key's entries below it, so
// the top-most entry of a key is its value.

/** A layer folds into the one below while that one is at most FOLD times its size. */
const FOLD = 8

export class Vector<K> {
  static empty<K>(): Vector<K> {
    return new Vector<K>(null, new Map(), 0)
  }

  /** A vector holding `entries` (copied). */
  static of<K>(entries: Iterable<[K, number]>): Vector<K> {
    return Vector.empty<K>().raisedBy(entries)
  }

  /** Use empty(), of() and the methods; the layers are read by the functions below. */
  constructor(
    readonly below: Vector<K> | null,
    readonly layer: ReadonlyMap<K, number>,
    /** Entries in this layer and every layer below (a key may count more than once). */
    readonly weight: number,
  ) {}

  get isEmpty(): boolean {
    return this.weight === 0
  }

  get(key: K): number | undefined {
    return valueIn(this, key)
  }

  /** Every key with its value, each key once. */
  *entries(): Generator<[K, number]> {
    const done = new Set<K>()
    for (const entry of this.layeredEntries()) {
      if (done.has(entry[0])) continue
      done.add(entry[0])
      yield entry
    }
  }

  /**
   * Every (key, value) pair of every layer: a key may repeat with smaller values from lower
   * layers. Enough to compute a maximum without the cost of de-duplicating.
   */
  layeredEntries(): Generator<[K, number]> {
    return layeredEntriesOf(this)
  }

  /** This with `key` at least `value`; `this` itself when it already is. */
  with(key: K, value: number): Vector<K> {
    if ((this.get(key) ?? -Infinity) >= value) return this
    return push(this, new Map([[key, value]]))
  }

  /** This raised by every entry of `entries` that is greater; `this` itself when none is. */
  raisedBy(entries: Iterable<[K, number]>): Vector<K> {
    let raised: Map<K, number> | null = null
    for (const [key, value] of entries) {
      if ((this.get(key) ?? -Infinity) >= value) continue
      raised ??= new Map()
      if ((raised.get(key) ?? -Infinity) < value) raised.set(key, value)
    }
    return raised === null ? this : push(this, raised)
  }

  /** Whether every entry of `other` is at most this one's. */
  covers(other: Vector<K>): boolean {
    if (other === this || other.isEmpty) return true
    // A layer both share, and everything below it, is covered: values only grow upwards.
    const mine = chainOf(this)
    for (const [key, value] of entriesAbove(other, mine)) if ((this.get(key) ?? -Infinity) < value) return false
    return true
  }

  /** The least vector covering both; one of the two itself when it covers the other. */
  merge(other: Vector<K>): Vector<K> {
    if (this.covers(other)) return this
    if (other.covers(this)) return other
    // Raise the heavier one by what the lighter one has above their shared layers.
    const [heavy, light] = this.weight >= other.weight ? [this, other] : [other, this]
    return heavy.raisedBy(entriesAbove(light, chainOf(heavy)))
  }
}

/** The layers of `top`, as a set (O(log n) of them). */
function chainOf<K>(top: Vector<K>): Set<Vector<K>> {
  const out = new Set<Vector<K>>()
  for (let v: Vector<K> | null = top; v !== null; v = v.below) out.add(v)
  return out
}

/** Every (key, value) of `top`'s layers above the first layer that `stop` holds. */
function* entriesAbove<K>(top: Vector<K>, stop: Set<Vector<K>>): Generator<[K, number]> {
  for (let v: Vector<K> | null = top; v !== null && !stop.has(v); v = v.below) yield* v.layer
}

function valueIn<K>(top: Vector<K>, key: K): number | undefined {
  for (let v: Vector<K> | null = top; v !== null; v = v.below) {
    const value = v.layer.get(key)
    if (value !== undefined) return value
  }
  return undefined
}

function* layeredEntriesOf<K>(top: Vector<K>): Generator<[K, number]> {
  for (let v: Vector<K> | null = top; v !== null; v = v.below) yield* v.layer
}

/** `top` with a new layer `raised` (entries all greater than top's), folded into smaller layers below. */
function push<K>(top: Vector<K>, raised: Map<K, number>): Vector<K> {
  let layer = raised
  let below: Vector<K> | null = top
  while (below !== null && below.layer.size <= FOLD * layer.size) {
    const merged = new Map(below.layer)
    for (const [key, value] of layer) merged.set(key, value)
    layer = merged
    below = below.below
  }
  return new Vector(below, layer, (below?.weight ?? 0) + layer.size)
}
