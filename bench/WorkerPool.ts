// Client worker processes (child_process.fork) and a request/reply channel to each.

import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Command, Reply } from './workerProtocol.ts'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

export class WorkerPool {
  readonly #children: ChildProcess[] = []
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  #nextId = 1

  private constructor() {}

  static async start(size: number): Promise<WorkerPool> {
    const pool = new WorkerPool()
    await Promise.all(Array.from({ length: size }, () => pool.#spawn()))
    return pool
  }

  get size(): number {
    return this.#children.length
  }

  /** Sends `command` to worker `index`; rejects if the worker fails or exits first. */
  send<T>(index: number, command: Command): Promise<T> {
    const child = this.#children[index]
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      child.send({ id, command })
    })
  }

  /** Sends one command per worker (`commandFor(i)` may return null to skip a worker). */
  async each<T>(commandFor: (index: number) => Command | null): Promise<T[]> {
    const calls: Promise<T>[] = []
    for (let i = 0; i < this.size; i++) {
      const c = commandFor(i)
      if (c) calls.push(this.send<T>(i, c))
    }
    return Promise.all(calls)
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
            child.once('exit', () => {
              clearTimeout(timer)
              resolve()
            })
            child.disconnect()
          }),
      ),
    )
  }

  #spawn(): Promise<void> {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#children.push(child)
    child.on('message', (msg: Reply | { ready: true }) => {
      if ('ready' in msg) return
      const waiter = this.#pending.get(msg.id)
      if (!waiter) return
      this.#pending.delete(msg.id)
      if (msg.ok) waiter.resolve(msg.result)
      else waiter.reject(new Error(`worker: ${msg.error}`))
    })
    child.on('exit', (code, signal) => {
      for (const [id, w] of this.#pending) {
        this.#pending.delete(id)
        w.reject(new Error(`worker exited (${code ?? signal}) with a command pending`))
      }
    })
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`worker exited at start (${code})`)))
    })
  }
}
