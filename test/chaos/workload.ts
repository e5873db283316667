// What chaos scenarios write and how they check it. Each writer inserts unique tokens
// ("a17 ") at random token boundaries of one shared text, so the final text can be checked
// exactly: every token written anywhere present once, nothing else. Inserted runs never split
// each other (Yjs does not interleave concurrent runs), so a token survives as written.

import * as Y from 'yjs'
import type { Agent } from '../../agents/index.ts'
import type { StockClient } from '../helpers/clients.ts'
import type { Rng } from './random.ts'

/** A shared text as one client sees it, edited in that client's own attributed transactions. */
export interface TextTarget {
  doc(): Y.Doc
  edit(change: (text: Y.Text) => void): void
}

export function agentText(agent: () => Agent, name: string): TextTarget {
  return { doc: () => agent().shared, edit: (change) => agent().edit(name, change) }
}

export function stockText(client: StockClient, name: string): TextTarget {
  return {
    doc: () => client.doc,
    edit: (change) => {
      const text = client.doc.getMap('docs').get(name)
      if (!(text instanceof Y.Text)) throw new Error(`stock client has no document "${name}" yet`)
      client.doc.transact(() => change(text))
    },
  }
}

export interface WrittenToken {
  token: string
  /** The writing doc's client id and its clock after the write: acked once a persisted state vector reaches it. */
  client: number
  clock: number
}

export class TokenWriter {
  readonly written: WrittenToken[] = []

  constructor(
    readonly label: string,
    private readonly target: TextTarget,
    private readonly rng: Rng,
  ) {}

  /** Inserts the next token at a random boundary between existing tokens; returns it. */
  write(): string {
    const token = `${this.label}${this.written.length}`
    this.target.edit((text) => {
      const bounds = boundaries(text.toString())
      text.insert(bounds[Math.floor(this.rng() * bounds.length)], `${token} `)
    })
    const doc = this.target.doc()
    this.written.push({ token, client: doc.clientID, clock: Y.getState(doc.store, doc.clientID) })
    return token
  }

  tokens(): string[] {
    return this.written.map((w) => w.token)
  }

  /** Tokens a persisted state vector from the server covers (durable before it was sent). */
  ackedBy(persisted: Map<number, number>): string[] {
    return this.written.filter((w) => (persisted.get(w.client) ?? 0) >= w.clock).map((w) => w.token)
  }
}

function boundaries(s: string): number[] {
  const out = [0]
  for (let i = 0; i < s.length; i++) if (s[i] === ' ') out.push(i + 1)
  return out
}

export function tokensOf(text: string): string[] {
  return text.split(' ').filter((t) => t.length > 0)
}

/** Differences between a text's tokens and the expected set: missing, unexpected, duplicated. */
export function tokenDiff(text: string, expected: Iterable<string>): { missing: string[]; extra: string[]; duplicates: string[] } {
  const seen = new Map<string, number>()
  for (const t of tokensOf(text)) seen.set(t, (seen.get(t) ?? 0) + 1)
  const want = new Set(expected)
  return {
    missing: [...want].filter((t) => !seen.has(t)),
    extra: [...seen.keys()].filter((t) => !want.has(t)),
    duplicates: [...seen].filter(([, n]) => n > 1).map(([t]) => t),
  }
}

/** Tokens from `expected` that are not in `text`. */
export function missingTokens(text: string, expected: Iterable<string>): string[] {
  const have = new Set(tokensOf(text))
  return [...expected].filter((t) => !have.has(t))
}

/** The text of a shared document (`Y.Map('docs')` entry), '' when absent. */
export function docText(doc: Y.Doc, name: string): string {
  return doc.getMap('docs').get(name)?.toString() ?? ''
}

/**
 * Folds persisted state vectors (MESSAGE_PERSISTED replies) into the highest clock the
 * server has said is durable, per Yjs client.
 */
export class PersistedClocks {
  readonly clocks = new Map<number, number>()

  observe(stateVector: Uint8Array): void {
    for (const [client, clock] of Y.decodeStateVector(stateVector)) {
      if (clock > (this.clocks.get(client) ?? 0)) this.clocks.set(client, clock)
    }
  }

  /** Listens on an SDK room (RoomSync emits 'persisted' with the state vector). */
  follow(sync: { on(event: 'persisted', fn: (sv: Uint8Array) => void): unknown }): this {
    sync.on('persisted', (sv) => this.observe(sv))
    return this
  }

  snapshot(): Map<number, number> {
    return new Map(this.clocks)
  }
}
