// The Readings tab of one document: divergence groups recomputed live, in the browser, from
// the namespace rooms we already hold (the same pure grouping the server's API uses), so a new
// annotation or an edit of the text shows at once, offline too.

import type * as Y from 'yjs'
import { createSubscriber } from 'svelte/reactivity'
import {
  groupDivergences,
  countReadings,
  placeProposals,
  emptyReviewState,
  READING_LIMITS,
  type AgreementKind,
  type DivergenceGroup,
  type Divergences,
  type ProposalView,
  type ReadingsCount,
  type ReviewState,
  type SynonymIndex,
} from '../../../shared/review/index.ts'
import { byAgreement, facets, groupKey, narrowGroups, type ReadingFilter } from './readings-filter.ts'
import type { Namespaces } from './namespaces.svelte.ts'

export class Readings {
  readonly name: string
  readonly ytext: Y.Text
  readonly #namespaces: Namespaces
  readonly #subscribeText: () => void
  authors = $state<Set<string> | null>(null)
  label = $state<string | null>(null)
  agreement = $state<AgreementKind | null>(null)
  /** groupKey of the selected group; survives recomputation while its annotations stay together. */
  selectedKey = $state<string | null>(null)
  /** List readings their authors replaced with a newer one (marked), instead of hiding them. */
  showSuperseded = $state(false)

  readonly #review: () => ReviewState
  readonly #synonyms: () => SynonymIndex | undefined

  constructor(namespaces: Namespaces, name: string, ytext: Y.Text, review: () => ReviewState = emptyReviewState, synonyms: () => SynonymIndex | undefined = () => undefined) {
    this.#namespaces = namespaces
    this.#review = review
    this.#synonyms = synonyms
    this.name = name
    this.ytext = ytext
    this.#subscribeText = createSubscriber((update) => {
      ytext.observe(update)
      return () => ytext.unobserve(update)
    })
  }

  #all = $derived.by((): Divergences => {
    this.#subscribeText()
    // Recomputed after every edit: bounded by the same limits as the server, with the browser's time budget.
    return groupDivergences(this.name, this.ytext, this.#namespaces.byPrincipal(this.name), {
      synonyms: this.#synonyms(),
      invalid: this.#namespaces.invalidOn(this.name),
      budgetMs: READING_LIMITS.browserBudgetMs,
      showSuperseded: this.showSuperseded,
    })
  })

  #proposals = $derived.by((): ProposalView[] => {
    this.#subscribeText()
    return placeProposals(this.name, this.ytext, this.#namespaces.proposalsByPrincipal(this.name), this.#review())
  })

  #narrowed = $derived.by(() => narrowGroups(this.#all.groups, { authors: this.authors, label: this.label } satisfies ReadingFilter, this.#synonyms()))
  #filtered = $derived(byAgreement(this.#narrowed, this.agreement))

  /** Stretch counts per agreement kind among the stretches the author and label filters leave: each equals what choosing it lists. */
  get counts(): ReadingsCount {
    return countReadings(this.#narrowed)
  }

  /** Unfiltered: the document's agreement summary and orphans. */
  get all(): Divergences {
    return this.#all
  }

  /** Proposed edits on this document with their status (accepted, rejected, in conflict, open). */
  get proposals(): ProposalView[] {
    return this.#proposals
  }

  get groups(): DivergenceGroup[] {
    return this.#filtered
  }

  get text(): string {
    this.#subscribeText()
    return this.ytext.toString()
  }

  get facets(): { authors: string[]; labels: string[] } {
    return facets(this.#all)
  }

  get selected(): DivergenceGroup | null {
    const key = this.selectedKey
    if (key === null) return null
    // A group that grew or split keeps being shown if it still holds the first annotation.
    const first = key.split(',')[0]
    return this.#filtered.find((g) => groupKey(g) === key) ?? this.#filtered.find((g) => groupKey(g).split(',').includes(first)) ?? null
  }

  select(group: DivergenceGroup | null): void {
    this.selectedKey = group ? groupKey(group) : null
  }

  toggleAuthor(id: string, all: string[]): void {
    const next = new Set(this.authors ?? all)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    this.authors = next.size === all.length ? null : next
  }
}
