// One document's history in the browser: the versions the server keeps (newest first, a page at
// a time), the text of a selected version and the changes from it to now coloured by author,
// who wrote each stretch of the current text (blame), restoring and naming versions, and an
// annotation's text "as read". Everything is read from the history API (docs/history.md); each
// read has its own loading / error state, worded for a person.

import type { Anchor } from '../../../shared/anchoring/index.ts'
import { ApiRequestError, type BlameRun, type DiffSpan, type VersionSummary } from '../../../shared/api/index.ts'
import type { Workspace } from './workspace.svelte.ts'

/** A stretch of text and who wrote it: a diff span or a blame run. */
export interface AuthoredRun {
  text: string
  principal: string | null
  kind?: DiffSpan['kind']
  /** Blame: the first version holding it (written by then), or null (since the latest version). */
  at?: number | null
}

/** A read that may be under way, done, or failed (with the words to show). */
export type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; message: string }

export interface AsRead {
  author: string
  quote: string
  /** The text when the annotation was written, and whether that is exact (older anchors: approximate). */
  original: Load<{ text: string; exact: boolean }>
}

/** Versions fetched per page; the server keeps at most 1000 per workspace. */
export const PAGE = 50
const MAX_VERSIONS = 1000

export type HistoryView = { kind: 'version'; n: number; show: 'text' | 'changes' } | { kind: 'blame' } | { kind: 'as-read'; read: AsRead }

/** Why a version was taken, in words. */
export function versionWhy(v: VersionSummary): string {
  switch (v.reason) {
    case 'request':
      return v.label ? `named “${v.label}”` : 'saved on request'
    case 'idle':
      return 'after a pause in editing'
    case 'unload':
      return 'when everyone had left'
    case 'before-server-write':
      return v.label ? `before ${v.label}` : 'before a change by the server'
  }
}

/** What to say when a history read fails (rate limit and missing versions keep the server's words). */
export function failure(error: unknown, what: string): string {
  if (error instanceof ApiRequestError) {
    if (error.kind === 'unreachable') return `Could not load ${what}: the server cannot be reached. Check your connection and try again.`
    if (error.status === 429) return `Too many history requests just now: ${error.message}`
    return `Could not load ${what}: ${error.message}`
  }
  return `Could not load ${what}: ${error instanceof Error ? error.message : String(error)}`
}

export class DocumentHistory {
  readonly doc: string
  readonly #workspace: Workspace
  #versions = $state.raw<Load<VersionSummary[]>>({ state: 'idle' })
  #limit = $state(PAGE)
  #view = $state.raw<HistoryView | null>(null)
  #text = $state.raw<Load<string>>({ state: 'idle' })
  #diff = $state.raw<Load<DiffSpan[]>>({ state: 'idle' })
  #blame = $state.raw<Load<BlameRun[]>>({ state: 'idle' })
  #notice = $state<string | null>(null)
  /** Bumped by every selection: an answer for an earlier one is dropped. */
  #generation = 0

  constructor(workspace: Workspace, doc: string) {
    this.#workspace = workspace
    this.doc = doc
  }

  get versions(): Load<VersionSummary[]> {
    return this.#versions
  }
  get view(): HistoryView | null {
    return this.#view
  }
  get text(): Load<string> {
    return this.#text
  }
  get diff(): Load<DiffSpan[]> {
    return this.#diff
  }
  get blame(): Load<BlameRun[]> {
    return this.#blame
  }
  /** What the last restore or naming did, in words (shown in a live region). */
  get notice(): string | null {
    return this.#notice
  }
  /** Whether older versions may exist beyond those listed. */
  get hasOlder(): boolean {
    return this.#versions.state === 'ready' && this.#versions.value.length >= this.#limit && this.#limit < MAX_VERSIONS
  }

  async loadVersions(): Promise<void> {
    if (this.#versions.state !== 'ready') this.#versions = { state: 'loading' }
    try {
      const { versions } = await this.#workspace.api.versions(this.#workspace.id, this.doc, this.#limit)
      this.#versions = { state: 'ready', value: versions }
    } catch (error) {
      this.#versions = { state: 'failed', message: failure(error, 'the versions') }
    }
  }

  async showOlder(): Promise<void> {
    this.#limit = Math.min(MAX_VERSIONS, this.#limit + PAGE)
    await this.loadVersions()
  }

  /** Shows version `n`: its text, or the changes from it to the current text. */
  async select(n: number, show: 'text' | 'changes' = 'text'): Promise<void> {
    this.#view = { kind: 'version', n, show }
    const generation = ++this.#generation
    if (show === 'text') {
      this.#text = { state: 'loading' }
      const text = await this.#read(() => this.#workspace.api.versionText(this.#workspace.id, this.doc, n), `version ${n}`)
      if (generation === this.#generation) this.#text = mapLoad(text, (t) => t.text)
    } else {
      this.#diff = { state: 'loading' }
      const diff = await this.#read(() => this.#workspace.api.diff(this.#workspace.id, this.doc, n), `the changes since version ${n}`)
      if (generation === this.#generation) this.#diff = mapLoad(diff, (d) => d.spans)
    }
  }

  async showBlame(): Promise<void> {
    this.#view = { kind: 'blame' }
    const generation = ++this.#generation
    this.#blame = { state: 'loading' }
    const runs = await this.#read(() => this.#workspace.api.blame(this.#workspace.id, this.doc), 'who wrote what')
    if (generation === this.#generation) this.#blame = mapLoad(runs, (r) => r.runs)
  }

  /** The text an annotation was made against (its anchor's snapshot, or its state vector: approximate). */
  async showAsRead(author: string, anchor: Anchor): Promise<void> {
    const read: AsRead = { author, quote: anchor.quote.exact, original: { state: 'loading' } }
    this.#view = { kind: 'as-read', read }
    const generation = ++this.#generation
    const body = anchor.snapshot ? { snapshot: anchor.snapshot } : { stateVector: anchor.stateVector }
    const original = await this.#read(() => this.#workspace.api.asRead(this.#workspace.id, this.doc, body), 'the text as it was read')
    if (generation === this.#generation) this.#view = { kind: 'as-read', read: { ...read, original } }
  }

  /** Writes version `n`'s text over the current one (a new, attributed edit); true when done. */
  async restore(n: number): Promise<boolean> {
    try {
      const { edits } = await this.#workspace.api.restore(this.#workspace.id, this.doc, n)
      this.#notice = edits === 0 ? `The text already matched version ${n}: nothing changed.` : `Restored version ${n}. The previous text is kept as a version.`
      await this.loadVersions()
      return true
    } catch (error) {
      this.#notice = failure(error, `version ${n}`).replace('Could not load', 'Could not restore')
      return false
    }
  }

  /** Takes a version now with `label`; true when done. */
  async name(label: string): Promise<boolean> {
    try {
      const v = await this.#workspace.api.createVersion(this.#workspace.id, this.doc, label)
      this.#notice = `Saved version ${v.n}${v.label ? ` “${v.label}”` : ''}.`
      await this.loadVersions()
      return true
    } catch (error) {
      this.#notice = failure(error, 'a new version').replace('Could not load', 'Could not save')
      return false
    }
  }

  close(): void {
    this.#view = null
    this.#generation++
  }

  async #read<T>(fetch: () => Promise<T>, what: string): Promise<Load<T>> {
    try {
      return { state: 'ready', value: await fetch() }
    } catch (error) {
      return { state: 'failed', message: failure(error, what) }
    }
  }
}

function mapLoad<T, U>(load: Load<T>, f: (value: T) => U): Load<U> {
  return load.state === 'ready' ? { state: 'ready', value: f(load.value) } : load
}
