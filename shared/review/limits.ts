// How much reading work one document may cost. Any member writes annotations into their own
// namespace and every reader places them all again after each edit: these bounds keep one
// member from freezing the server or another person's browser (see shared/anchoring/limits.ts
// for the bounds on one anchor, and test/readings-hostile.test.ts).

export const READING_LIMITS = {
  /** Annotations (and, separately, proposals) one namespace may hold on one document: writers are refused beyond it, readers place at most this many (oldest first) and report the rest as skipped. */
  perNamespaceDoc: 200,
  /** Milliseconds the server spends placing one document's annotations for one request (it yields to other requests meanwhile). */
  budgetMs: 1000,
  /** Milliseconds the browser spends per recomputation (after each edit: typing must stay responsive). */
  browserBudgetMs: 40,
} as const

/** The error for a writer whose namespace already holds the most annotations (or proposals) allowed on `doc`. */
export function annotationCapError(doc: string, count: number, what: 'annotations' | 'proposals' = 'annotations'): string | null {
  return count >= READING_LIMITS.perNamespaceDoc
    ? `your namespace already holds ${count} ${what} on "${doc}" (at most ${READING_LIMITS.perNamespaceDoc}): remove some before adding more`
    : null
}

/**
 * At most READING_LIMITS.perNamespaceDoc annotations per namespace (oldest first, then by id: the
 * same ones on every reader), and how many each namespace had beyond that.
 */
export function capPerNamespace<T extends { createdAt: number; id: string }>(byPrincipal: ReadonlyMap<string, T[]>): { kept: Map<string, T[]>; over: Map<string, number> } {
  const kept = new Map<string, T[]>()
  const over = new Map<string, number>()
  for (const [principal, list] of byPrincipal) {
    const sorted = [...list].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
    kept.set(principal, sorted.slice(0, READING_LIMITS.perNamespaceDoc))
    if (sorted.length > READING_LIMITS.perNamespaceDoc) over.set(principal, sorted.length - READING_LIMITS.perNamespaceDoc)
  }
  return { kept, over }
}
