// Filtering divergence groups by author, label and agreement for the Readings tab. Pure: the
// filtered view recomputes what the remaining readers agree on (the same shared policy as the
// server, shared/review/agreement.ts), so "agree" never counts a hidden reader, and the counts
// shown next to each agreement choice are exactly the stretches that choice lists.

import { agreementKinds, agreementOf, type AgreementKind, type DivergenceGroup, type Divergences, type SynonymIndex } from '../../../shared/review/index.ts'

export interface ReadingFilter {
  /** Authors to show; null shows everyone. */
  authors: ReadonlySet<string> | null
  /** Only annotations with this label; null for any. */
  label: string | null
  /** Only stretches with this kind of agreement (among the readers left); null or absent for any. */
  agreement?: AgreementKind | null
}

export const NO_FILTER: ReadingFilter = { authors: null, label: null, agreement: null }

/** Authors and label: what is left of each stretch, its agreement recomputed among those readers. */
export function narrowGroups(groups: DivergenceGroup[], filter: ReadingFilter, synonyms?: SynonymIndex): DivergenceGroup[] {
  if (filter.authors === null && filter.label === null) return groups
  const out: DivergenceGroup[] = []
  for (const group of groups) {
    const readings = group.readings
      .filter((r) => filter.authors === null || filter.authors.has(r.principal))
      .map((r) => ({ ...r, annotations: r.annotations.filter((a) => filter.label === null || a.label === filter.label) }))
      .filter((r) => r.annotations.length > 0)
    if (readings.length > 0) out.push({ ...group, readings, agreement: agreementOf(readings, synonyms) })
  }
  return out
}

/** Stretches showing this kind of agreement (null: all). */
export function byAgreement(groups: DivergenceGroup[], kind: AgreementKind | null | undefined): DivergenceGroup[] {
  return kind ? groups.filter((g) => agreementKinds(g.agreement).includes(kind)) : groups
}

export function filterGroups(groups: DivergenceGroup[], filter: ReadingFilter, synonyms?: SynonymIndex): DivergenceGroup[] {
  return byAgreement(narrowGroups(groups, filter, synonyms), filter.agreement)
}

/** Every author and label present, for the filter controls. */
export function facets(d: Divergences): { authors: string[]; labels: string[] } {
  const authors = new Set<string>()
  const labels = new Set<string>()
  for (const g of d.groups) {
    for (const r of g.readings) {
      authors.add(r.principal)
      for (const a of r.annotations) if (a.label) labels.add(a.label)
    }
  }
  return { authors: [...authors].sort(), labels: [...labels].sort() }
}

export interface Segment {
  text: string
  /** Index into the groups list, or null for text nobody annotated. */
  group: number | null
}

/** Splits the text into plain runs and annotated stretches (groups never overlap). */
export function segments(text: string, groups: DivergenceGroup[]): Segment[] {
  const out: Segment[] = []
  let at = 0
  groups.forEach((g, i) => {
    const start = Math.max(g.range.start, at)
    if (start > at) out.push({ text: text.slice(at, start), group: null })
    if (g.range.end > start) out.push({ text: text.slice(start, g.range.end), group: i })
    at = Math.max(at, g.range.end)
  })
  if (at < text.length) out.push({ text: text.slice(at), group: null })
  return out
}

/** A stable key for a group across recomputations: its annotation ids. */
export function groupKey(group: DivergenceGroup): string {
  return group.readings
    .flatMap((r) => r.annotations.map((a) => a.id))
    .sort()
    .join(',')
}
