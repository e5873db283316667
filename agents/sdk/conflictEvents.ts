// Follows a workspace's conflict events (GET /api/workspaces/W/events, Server-Sent Events) from
// Node, which has no EventSource: fetch with a streamed body, reconnect with jittered backoff.
// The server ends a stream with `closed {reason}` when access ended: then we stop for good.

import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import { backoffDelay } from '../../shared/backoff.ts'

export interface ConflictFollower {
  /** Resolves once the first stream is open (listing after this misses nothing). */
  ready: Promise<void>
  stop(): void
}

export interface FollowOptions {
  baseUrl: string
  token: string
  workspace: string
  onConflict: (record: ConflictRecord) => void
  /** On every (re)connect: list what may have been missed meanwhile. */
  onReady: () => void
  /** Access ended (token revoked, member removed): no reconnect. */
  onClosed?: (reason: string) => void
}

/** An event block is bounded so a broken stream cannot grow our buffer without end. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024

export function followConflicts(opts: FollowOptions): ConflictFollower {
  const stopping = new AbortController()
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  async function once(): Promise<'again' | 'closed'> {
    const res = await fetch(`${opts.baseUrl}/api/workspaces/${encodeURIComponent(opts.workspace)}/events`, {
      headers: { authorization: `Bearer ${opts.token}`, accept: 'text/event-stream' },
      signal: stopping.signal,
    })
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      opts.onClosed?.(`the event stream was refused (${res.status})`)
      return 'closed'
    }
    if (!res.ok || !res.body) return 'again'
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return 'again'
      buffer += value
      let sep: number
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, sep)
        buffer = buffer.slice(sep + 2)
        const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message'
        const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n')
        if (event === 'ready') {
          markReady()
          opts.onReady()
        } else if (event === 'conflict') {
          try {
            opts.onConflict(JSON.parse(data) as ConflictRecord)
          } catch {
            opts.onReady() // a record we cannot read: list instead
          }
        } else if (event === 'closed') {
          const reason = (JSON.parse(data) as { reason?: string }).reason ?? 'closed by the server'
          opts.onClosed?.(reason)
          if (/access|revoked|removed/.test(reason)) return 'closed'
        }
      }
      if (buffer.length > MAX_EVENT_CHARS) return 'again'
    }
  }

  void (async () => {
    for (let attempt = 0; !stopping.signal.aborted;) {
      let outcome: 'again' | 'closed' = 'again'
      const opened = Date.now()
      try {
        outcome = await once()
      } catch {
        // unreachable or cut: try again after a pause
      }
      if (outcome === 'closed' || stopping.signal.aborted) return
      attempt = Date.now() - opened > 30_000 ? 0 : attempt + 1
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffDelay(attempt, { baseMs: 250, capMs: 10_000 }))
        stopping.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
      })
    }
  })()

  return { ready, stop: () => stopping.abort() }
}
