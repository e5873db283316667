// Bounds the Prometheus series a metric with client-influenced labels can grow to. Each label
// combination seen first gets its own series until the budget is spent; every later new
// combination is folded into one `other` series (all its label values 'other'), so a client
// reporting 300 names adds at most one series beyond the budget.

export const OTHER_LABEL_VALUE = 'other'

export class SeriesBudget {
  readonly #seen = new Set<string>()

  constructor(readonly maxSeries: number) {}

  /** The labels to record under: these, or the `other` fold once the budget is spent. */
  labels<L extends Record<string, string>>(labels: L): L {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))
    if (this.#seen.has(key)) return labels
    if (this.#seen.size < this.maxSeries) {
      this.#seen.add(key)
      return labels
    }
    return Object.fromEntries(Object.keys(labels).map((k) => [k, OTHER_LABEL_VALUE])) as L
  }
}
