// LISTEN/NOTIFY for a server on Postgres: one dedicated connection per server carries every
// channel this instance listens on (stores register handlers; nobody opens their own).
// Notifications carry ids, never data: a handler reads what changed from the tables, so a
// lost notification (reconnect) is repaired by the `reconnected` callback re-reading.

import pg from 'pg'
import type { Logger } from 'pino'

type Handler = (payload: string) => void

export interface NotificationsOptions {
  logger?: Logger
  /** First reconnect delay after the listening connection drops, ms (doubles up to 5 s). */
  retryMs?: number
}

export class Notifications {
  readonly #url: string
  readonly #logger?: Logger
  readonly #handlers = new Map<string, Set<Handler>>()
  readonly #reconnected = new Set<() => void>()
  #client: pg.Client | null = null
  #closed = false
  #retryMs: number
  #connecting: Promise<void> | null = null

  constructor(url: string, { logger, retryMs = 100 }: NotificationsOptions = {}) {
    this.#url = url
    this.#logger = logger
    this.#retryMs = retryMs
  }

  /** Connects the listening client; resolves once connected (rejects if the first connect fails). */
  start(): Promise<void> {
    return (this.#connecting ??= this.#connect())
  }

  /** Calls `handler` with each payload sent to `channel` (by any instance, this one included). */
  async listen(channel: string, handler: Handler): Promise<void> {
    assertChannel(channel)
    let set = this.#handlers.get(channel)
    if (!set) {
      set = new Set()
      this.#handlers.set(channel, set)
      if (this.#client) await this.#client.query(`LISTEN ${channel}`)
    }
    set.add(handler)
  }

  /** Called after the listening connection came back: notifications may have been missed. */
  onReconnected(fn: () => void): void {
    this.#reconnected.add(fn)
  }

  async close(): Promise<void> {
    this.#closed = true
    const client = this.#client
    this.#client = null
    if (client) await client.end().catch(() => {})
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'polyphony-listen' })
    client.on('notification', (msg) => {
      for (const handler of this.#handlers.get(msg.channel) ?? []) {
        try {
          handler(msg.payload ?? '')
        } catch (err) {
          this.#logger?.error({ err, channel: msg.channel }, 'notification handler failed')
        }
      }
    })
    client.on('error', (err) => this.#logger?.warn({ err }, 'listening connection to Postgres failed; reconnecting'))
    client.on('end', () => {
      if (this.#client === client) this.#client = null
      if (!this.#closed) this.#scheduleReconnect()
    })
    await client.connect()
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${channel}`)
    if (this.#closed) {
      await client.end().catch(() => {})
      return
    }
    this.#client = client
  }

  #scheduleReconnect(): void {
    const delay = this.#retryMs
    this.#retryMs = Math.min(this.#retryMs * 2, 5000)
    const timer = setTimeout(() => {
      this.#connect().then(
        () => {
          this.#retryMs = 100
          for (const fn of this.#reconnected) fn()
        },
        (err) => {
          this.#logger?.warn({ err }, 'reconnecting the listening connection failed')
          if (!this.#closed) this.#scheduleReconnect()
        },
      )
    }, delay)
    timer.unref()
  }
}

/** NOTIFY `channel` with `payload` (≤ 7999 bytes: Postgres's limit) inside or outside a transaction. */
export async function notify(db: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, channel: string, payload: string): Promise<void> {
  assertChannel(channel)
  await db.query('SELECT pg_notify($1, $2)', [channel, payload])
}

function assertChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel name: ${channel}`)
}
