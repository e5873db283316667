// Waiting on conditions and events, never on fixed sleeps.

/** Polls `check` on every macrotask until it is true; fails with `what` after timeoutMs. */
export async function waitFor(check: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Resolves with the arguments of the next `event` emitted by `emitter`. */
export function nextEvent<T extends unknown[]>(emitter: { once(event: string, fn: (...args: T) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: T) => resolve(args)))
}

/** Anything with on/off listeners: Node emitters, Y.Doc, WebsocketProvider, awareness. */
export interface Emits {
  on(event: string, fn: (...args: unknown[]) => void): unknown
  off(event: string, fn: (...args: unknown[]) => void): unknown
}

/**
 * Resolves once `check` holds, testing it now and after every `event` from `sources` (e.g. a
 * Y.Doc's 'update', a provider's 'sync'): no polling. Fails with `what` after timeoutMs.
 */
export function until(sources: Emits | Emits[], event: string, check: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const emitters = Array.isArray(sources) ? sources : [sources]
  return new Promise((resolve, reject) => {
    if (check()) return resolve()
    const done = (err?: Error) => {
      clearTimeout(timer)
      for (const e of emitters) e.off(event, onEvent)
      if (err) reject(err)
      else resolve()
    }
    const onEvent = () => {
      try {
        if (check()) done()
      } catch (err) {
        done(err as Error)
      }
    }
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), timeoutMs)
    for (const e of emitters) e.on(event, onEvent)
  })
}
