// The document shown in the editor: its text, the editor view, the current selection and
// the annotations on it resolved against the current text.

import type { EditorView } from 'codemirror'
import { createSubscriber } from 'svelte/reactivity'
import { AnchorPlacement, quoteChanged, type Resolution } from '../../../shared/anchoring/index.ts'
import { isSuperseded, type Annotation, type AnnotationBody } from '../../../shared/annotations.ts'
import { READING_LIMITS, capPerNamespace } from '../../../shared/review/index.ts'
import { createEditor, setConflictMarks, setHighlights, type ConflictMark, type Highlight } from './editor.ts'
import * as Y from 'yjs'
import { allowedReviewActions, placeProposals } from '../../../shared/review/index.ts'
import { setSuggestions, type Suggestion } from './suggestions.ts'
import type { Workspace } from './workspace.svelte.ts'

export interface ResolvedAnnotation {
  annotation: Annotation
  /** Null when it was not placed: beyond the per-namespace cap, or past the time budget of this recomputation. */
  resolution: Resolution | null
  color: string
  authorName: string
  /** The quoted words read differently now than when annotated (edits next to them do not count). */
  changedSince: boolean
  /** Its author's newer reading of this stretch replaces it (kept as history, hidden unless asked). */
  superseded: boolean
}

export class OpenDocument {
  /** The document id (stable across renames; what annotations reference). */
  readonly name: string
  readonly ytext: Y.Text
  readonly #workspace: Workspace
  readonly #subscribeText: () => void
  #view: EditorView | null = null
  #selection = $state({ from: 0, to: 0 })
  /** Bumped whenever text may have moved on screen: margin notes re-place themselves. */
  #layout = $state(0)
  /** The annotation whose note and highlight are emphasised (clicked on either side). */
  #active = $state<string | null>(null)

  readonly #onConflict: ((doc: string) => void) | undefined

  /** `onConflict` opens the review of a contested stretch (clicked in the text). */
  constructor(workspace: Workspace, name: string, ytext: Y.Text, onConflict?: (doc: string) => void) {
    this.#workspace = workspace
    this.#onConflict = onConflict
    this.name = name
    this.ytext = ytext
    this.#subscribeText = createSubscriber((update) => {
      ytext.observe(update)
      return () => ytext.unobserve(update)
    })
  }

  /** The display title, live (renames change it, not the id). */
  get title(): string {
    return this.#workspace.documents.title(this.name)
  }

  get selection(): { from: number; to: number } {
    return this.#selection
  }

  get layout(): number {
    return this.#layout
  }

  get active(): string | null {
    return this.#active
  }

  activate(id: string | null): void {
    this.#active = id
  }

  /**
   * Vertical position of a text offset in px from the top of the editor element (stable while
   * scrolling: notes beside the text scroll with it). Exact for rendered text, by line otherwise.
   */
  topOf(pos: number): number {
    const view = this.#view
    if (!view) return 0
    const at = Math.min(Math.max(0, pos), view.state.doc.length)
    const offset = view.documentTop - view.dom.getBoundingClientRect().top
    const coords = view.coordsAtPos(at, 1)
    if (coords) return coords.top - view.documentTop + offset
    return view.lineBlockAt(at).top + offset
  }

  get selectedText(): string {
    const { from, to } = this.#selection
    return this.ytext.toString().slice(from, to)
  }

  /** Annotations on this document from every readable namespace, placed on the current text. */
  get annotations(): ResolvedAnnotation[] {
    return this.#annotations
  }

  // Placed after every edit, so bounded like the server's readings (shared/review/limits.ts): at
  // most READING_LIMITS.perNamespaceDoc per namespace, quote searches within a time budget.
  #annotations = $derived.by((): ResolvedAnnotation[] => {
    this.#subscribeText()
    const all = this.#workspace.namespaces.byPrincipal(this.name)
    const { kept } = capPerNamespace(all)
    const items = [...kept].flatMap(([owner, list]) => list.map((item) => ({ owner, anchor: item.target, item })))
    const placement = new AnchorPlacement(this.ytext, items).runFor(READING_LIMITS.browserBudgetMs)
    const placed = new Map(placement.results().map((r) => [r.item, r.resolution]))
    const ownIds = new Map([...all].map(([owner, list]) => [owner, new Set(list.map((a) => a.id))] as const))
    const annotations = [...all.values()].flat().sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
    return annotations.map((annotation) => {
      const resolution = placed.get(annotation) ?? null
      return {
        annotation,
        resolution,
        color: this.#workspace.colorOf(annotation.author),
        authorName: this.#workspace.memberName(annotation.author),
        changedSince: resolution !== null && quoteChanged(placement.text, annotation.target, resolution),
        superseded: isSuperseded(annotation, ownIds.get(annotation.author) ?? new Set()),
      }
    })
  })

  /** Open conflicts about stretches of this text, placed on the current text. */
  get conflictMarks(): ConflictMark[] {
    return this.#conflictMarks
  }

  #conflictMarks = $derived.by((): ConflictMark[] => {
    this.#subscribeText()
    const doc = this.ytext.doc
    if (!doc) return []
    const place = (json: unknown): number | null => {
      const abs = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), doc)
      return abs && abs.type === this.ytext ? abs.index : null
    }
    const marks: ConflictMark[] = []
    for (const c of this.#workspace.conflicts.about(this.name)) {
      if (c.status !== 'open' || c.location.kind !== 'text') continue
      const range = c.location.region ?? c.location
      const from = place(range.start)
      const to = place(range.end)
      if (from === null) continue
      const names = c.parties.map((p) => this.#workspace.memberName(p.principal))
      const who = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('')
      marks.push({ id: c.id, from, to: Math.max(from, to ?? from), title: `${who} changed this at the same time. Open Review to choose what stays.` })
    }
    return marks
  })

  /** Open proposed edits on this text, as suggestions with what this viewer may decide. */
  get suggestions(): Suggestion[] {
    return this.#suggestions
  }

  #suggestions = $derived.by((): Suggestion[] => {
    this.#subscribeText()
    const ws = this.#workspace
    const allowed = allowedReviewActions(ws.role)
    return placeProposals(this.name, this.ytext, ws.namespaces.proposalsByPrincipal(this.name), ws.review.state)
      .filter((p) => p.status === 'open' && p.placement !== 'orphaned' && p.start !== null && p.end !== null)
      .map((p) => ({
        id: p.id,
        author: p.author,
        authorName: ws.memberName(p.author),
        from: p.start!,
        to: p.end!,
        replacement: p.replacement,
        rationale: p.rationale,
        canAccept: allowed.has('accept'),
        canReject: allowed.has('reject'),
      }))
  })

  showSuggestions(list: Suggestion[]): void {
    const review = this.#workspace.review
    this.#view?.dispatch({ effects: setSuggestions.of({ list, act: (verb, author, id) => void (verb === 'accept' ? review.accept(author, id) : review.reject(author, id)) }) })
  }

  /** Proposes replacing the selection (in the viewer's own namespace). */
  proposeSelection(replacement: string, rationale: string): boolean {
    const { from, to } = this.#selection
    if (from === to) return false
    this.#workspace.namespaces.propose(this.name, this.ytext, from, to, replacement, rationale)
    return true
  }

  showConflictMarks(marks: ConflictMark[]): void {
    this.#view?.dispatch({ effects: setConflictMarks.of(marks) })
  }

  mount(parent: HTMLElement): EditorView {
    this.#view = createEditor({
      parent,
      ytext: this.ytext,
      awareness: this.#workspace.shared.provider.awareness,
      readOnly: !this.#workspace.canEdit,
      label: `Text of ${this.title}`,
      placeholderText: this.#workspace.canEdit ? 'Start writing…' : 'This document is empty.',
      onSelection: (from, to) => (this.#selection = { from, to }),
      onLayout: () => this.#layout++,
      onConflictClick: () => this.#onConflict?.(this.name),
      onHighlightClick: (ids) => {
        // Clicking again on overlapping highlights steps through their notes.
        const at = this.#active === null ? -1 : ids.indexOf(this.#active)
        this.#active = ids[(at + 1) % ids.length]
      },
    })
    return this.#view
  }

  showHighlights(list: ResolvedAnnotation[], active: string | null = null): void {
    const highlights: Highlight[] = []
    for (const r of list) {
      if (r.resolution === null || r.resolution.status === 'orphaned' || r.superseded) continue
      const { label, comment } = r.annotation.body
      const title = `${r.authorName}${label ? ` · ${label}` : ''}: ${comment}`
      highlights.push({ id: r.annotation.id, from: r.resolution.start, to: r.resolution.end, color: r.color, title })
    }
    this.#view?.dispatch({ effects: setHighlights.of({ highlights, active }) })
  }

  /** Selects and scrolls to a span (from the annotation list). */
  select(from: number, to: number): void {
    const view = this.#view
    if (!view) return
    const max = view.state.doc.length
    view.dispatch({ selection: { anchor: Math.min(from, max), head: Math.min(to, max) }, scrollIntoView: true })
    view.focus()
  }

  annotateSelection(body: AnnotationBody): Annotation | null {
    const { from, to } = this.#selection
    if (from === to) return null
    return this.#workspace.namespaces.annotate(this.name, this.ytext, from, to, body)
  }

  unmount(): void {
    this.#view?.destroy()
    this.#view = null
    // Our cursor in this document means nothing once it is closed.
    this.#workspace.shared.provider.awareness.setLocalStateField('cursor', null)
  }
}
