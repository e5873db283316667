// The browser client's pure policies, without a browser: routes, reading filters and text
// segments, conflict bookkeeping, task ids and columns, lease countdown wording.

import { describe, expect, it } from 'vitest'
import { parseRoute, routeUrl } from '../../client/src/lib/router.svelte.ts'
import { filterGroups, segments, facets, groupKey } from '../../client/src/lib/readings-filter.ts'
import { conflictDoc, upsert } from '../../client/src/lib/conflicts.svelte.ts'
import { whereLabel } from '../../client/src/lib/conflict-text.ts'
import { byStatus, taskIdFor, type BoardTask } from '../../client/src/lib/tasks.svelte.ts'
import { formatRemaining } from '../../client/src/lib/clock.svelte.ts'
import { agreementOf, countReadings, type DivergenceGroup, type PlacedAnnotation } from '../../shared/review/index.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'

const note = (id: string, label: string | null, start = 0, end = 5): PlacedAnnotation => ({
  id,
  label,
  comment: id,
  severity: null,
  createdAt: 0,
  placement: 'exact',
  start,
  end,
  changedSince: false,
  quote: 'x',
})

const group = (start: number, end: number, readings: Record<string, PlacedAnnotation[]>): DivergenceGroup => ({
  range: { start, end, text: '' },
  readings: Object.entries(readings).map(([principal, annotations]) => ({ principal, annotations })),
  agreement: agreementOf(Object.entries(readings).map(([principal, annotations]) => ({ principal, annotations }))),
})

describe('routes', () => {
  it('round-trips every tab, with the review pane and document', () => {
    const cases = ['/w/w1', '/w/w1?doc=notes+2', '/w/w1/review', '/w/w1/review?doc=notes&view=readings', '/w/w1/tasks', '/']
    for (const url of cases) {
      const u = new URL(url, 'http://x')
      expect(routeUrl(parseRoute(u.pathname, u.search))).toBe(url)
    }
    expect(parseRoute('/w/w1/review', '?doc=a&view=bogus')).toEqual({ name: 'workspace', workspace: 'w1', tab: 'review', doc: 'a', view: 'conflicts' })
    expect(parseRoute('/w/w1/tasks', '?doc=a')).toMatchObject({ tab: 'tasks', doc: null })
  })
})

describe('reading filters', () => {
  const groups = [
    group(0, 5, { 'agent-a': [note('1', 'unsourced')], 'agent-b': [note('2', 'unsourced'), note('3', 'clarity')] }),
    group(10, 15, { 'agent-a': [note('4', 'vague', 10, 15)] }),
  ]
  it('keeps only chosen authors and labels and recomputes agreement among those left', () => {
    const onlyA = filterGroups(groups, { authors: new Set(['agent-a']), label: null })
    expect(onlyA.map((g) => g.readings.map((r) => r.principal))).toEqual([['agent-a'], ['agent-a']])
    expect(onlyA[0].agreement.readers).toBe(1)
    const unsourced = filterGroups(groups, { authors: null, label: 'unsourced' })
    expect(unsourced).toHaveLength(1)
    // "unsourced" is in the default vocabulary's "unsupported" group: the point is named after the group.
    expect(unsourced[0].agreement.full.map((p) => [p.topic, p.labels])).toEqual([['unsupported', ['unsourced']]])
    expect(filterGroups(groups, { authors: null, label: null })).toBe(groups)
    expect(filterGroups(groups, { authors: new Set(['nobody']), label: null })).toEqual([])
  })
  it('counts per agreement kind exactly what filtering by that kind lists', () => {
    const three = [...groups, group(20, 25, { a: [note('5', 'vague', 20, 25)], b: [note('6', 'unclear', 20, 25)], c: [note('7', 'typo', 20, 25)] })]
    for (const base of [
      { authors: null, label: null },
      { authors: new Set(['agent-a', 'a', 'b']), label: null },
      { authors: null, label: 'vague' },
    ]) {
      const counts = countReadings(filterGroups(three, base))
      const listed = (agreement: 'one-reading' | 'full' | 'partial' | 'differ') => filterGroups(three, { ...base, agreement }).length
      expect([listed('one-reading'), listed('full'), listed('partial'), listed('differ')]).toEqual([
        counts.singleReading,
        counts.fullAgreement,
        counts.partialAgreement,
        counts.difference,
      ])
    }
    // Stretch 1: both said "unsourced" (full), only agent-b "clarity" (differ); stretch 3: a and b partly agree (vague ≈ unclear), c differs.
    expect(countReadings(three)).toEqual({ stretches: 3, singleReading: 1, severalReadings: 2, fullAgreement: 1, partialAgreement: 1, difference: 2 })
  })

  it('lists facets and splits the text into plain and annotated runs', () => {
    expect(facets({ doc: 'd', groups, orphans: [], summary: countReadings(groups), skipped: [] })).toEqual({
      authors: ['agent-a', 'agent-b'],
      labels: ['clarity', 'unsourced', 'vague'],
    })
    expect(segments('abcdefghijklmnopq', groups)).toEqual([
      { text: 'abcde', group: 0 },
      { text: 'fghij', group: null },
      { text: 'klmno', group: 1 },
      { text: 'pq', group: null },
    ])
    expect(groupKey(groups[0])).toBe('1,2,3')
  })
})

describe('conflict bookkeeping', () => {
  const record = (id: string, detectedAt: number, status: 'open' | 'resolved' = 'open'): ConflictRecord => ({
    id,
    kind: 'map-key-overwrite',
    doc: 'w1/shared',
    location: { kind: 'map', path: ['tasks', 't1', 'status'] },
    parties: [
      { principal: 'a', value: 1 },
      { principal: 'b', value: 2 },
    ],
    status,
    detectedAt,
  })
  it('replaces a record by id and keeps newest first', () => {
    let list = [record('x', 1), record('y', 2)].reduce(upsert, [] as ConflictRecord[])
    expect(list.map((c) => c.id)).toEqual(['y', 'x'])
    list = upsert(list, record('x', 1, 'resolved'))
    expect(list.map((c) => [c.id, c.status])).toEqual([
      ['y', 'open'],
      ['x', 'resolved'],
    ])
  })
  it('ties text conflicts to their document and the rest to none', () => {
    expect(conflictDoc(record('x', 1))).toBeNull()
    const text = {
      ...record('t', 1),
      kind: 'overlapping-text-edit' as const,
      location: { kind: 'text' as const, doc: 'notes', path: ['docs', 'notes'], start: {}, end: {}, text: 'x' },
    }
    expect(conflictDoc(text)).toBe('notes')
  })
  it('ties a title conflict to its document and names documents by title', () => {
    const title = {
      ...record('t', 1),
      location: { kind: 'map' as const, path: ['titles', 'd-abc'] },
      parties: [
        { principal: 'a', value: 'A' },
        { principal: 'b', value: 'B' },
      ],
    }
    expect(conflictDoc(title)).toBe('d-abc')
    const titleOf = (id: string) => (id === 'd-abc' ? 'Minutes' : id)
    expect(whereLabel(title, titleOf)).toBe('Title of “Minutes” (document d-abc)')
    const text = {
      ...record('t', 1),
      kind: 'overlapping-text-edit' as const,
      location: { kind: 'text' as const, doc: 'd-abc', path: ['docs', 'd-abc'], start: {}, end: {}, text: 'x' },
    }
    expect(whereLabel(text, titleOf)).toBe('In “Minutes”, the text was: “x”')
    expect(whereLabel(record('x', 1), titleOf)).toBe('Key tasks › t1 › status')
  })
})

describe('task board', () => {
  it('derives readable unique ids that the server accepts', () => {
    expect(taskIdFor('Check the figures!', [])).toBe('check-the-figures')
    expect(taskIdFor('Check the figures', ['check-the-figures', 'check-the-figures-2'])).toBe('check-the-figures-3')
    expect(taskIdFor('???', [])).toBe('task')
    expect(taskIdFor('x'.repeat(200), [])).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  })
  it('sorts tasks into columns', () => {
    const t = (id: string, status: BoardTask['status']): BoardTask => ({
      id,
      status,
      title: id,
      description: '',
      dependsOn: [],
      owner: null,
      leaseExpiresAt: null,
      fencingToken: 0,
      result: null,
      history: [],
    })
    const cols = byStatus([t('b', 'open'), t('a', 'open'), t('c', 'done')])
    expect(cols.open.map((x) => x.id)).toEqual(['a', 'b'])
    expect(cols.claimed).toEqual([])
    expect(cols.done.map((x) => x.id)).toEqual(['c'])
  })
  it('words lease countdowns', () => {
    expect(formatRemaining(0)).toBe('expired')
    expect(formatRemaining(1)).toBe('1 s')
    expect(formatRemaining(59_001)).toBe('1 min 00 s')
    expect(formatRemaining(125_000)).toBe('2 min 05 s')
  })
})
