// Open Server-Sent Event streams: capped per principal and in total, and closable by the same
// events that close sync sockets (token revoked, member removed). The SSE route registers each
// stream here; nothing else may hold one open.

import type { HttpLimits } from './limits.ts'

export interface StreamOwner {
  principal: string
  workspace: string
}

export type StreamSlot = { ok: true; release(): void } | { ok: false; code: 'too_many_streams'; message: string; retryAfterS: number }

interface OpenStream extends StreamOwner {
  close(reason: string): void
}

export class EventStreams {
  readonly #open = new Set<OpenStream>()
  readonly #perPrincipal = new Map<string, number>()

  constructor(private readonly limits: Pick<HttpLimits, 'maxEventStreams' | 'maxEventStreamsPerPrincipal'>) {}

  get count(): number {
    return this.#open.size
  }

  /** Takes a slot for a new stream, or says why not. `close` ends the stream with a reason. */
  open(owner: StreamOwner, close: (reason: string) => void): StreamSlot {
    const mine = this.#perPrincipal.get(owner.principal) ?? 0
    if (mine >= this.limits.maxEventStreamsPerPrincipal) {
      return {
        ok: false,
        code: 'too_many_streams',
        message: `at most ${this.limits.maxEventStreamsPerPrincipal} event streams per principal are open at once: close one (e.g. another tab) and retry`,
        retryAfterS: 5,
      }
    }
    if (this.#open.size >= this.limits.maxEventStreams) {
      return { ok: false, code: 'too_many_streams', message: 'the server has as many event streams open as it allows: retry later', retryAfterS: 30 }
    }
    const stream: OpenStream = { ...owner, close }
    this.#open.add(stream)
    this.#perPrincipal.set(owner.principal, mine + 1)
    let released = false
    return {
      ok: true,
      release: () => {
        if (released) return
        released = true
        this.#open.delete(stream)
        const left = (this.#perPrincipal.get(owner.principal) ?? 1) - 1
        if (left > 0) this.#perPrincipal.set(owner.principal, left)
        else this.#perPrincipal.delete(owner.principal)
      },
    }
  }

  /** Closes every stream whose owner matches (revoked token, removed member); returns how many. */
  closeWhere(predicate: (owner: StreamOwner) => boolean, reason: string): number {
    let n = 0
    for (const stream of this.#open) {
      if (!predicate(stream)) continue
      stream.close(reason)
      n++
    }
    return n
  }
}
