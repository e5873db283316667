// Sockets this instance relays, per principal: a relayed socket never reaches this instance's
// sync core, so the core's per-principal socket cap cannot see it. The same cap applies here,
// so a member cannot open unbounded relays by aiming at rooms another instance owns.

export class RelayCounts {
  readonly #open = new Map<string, number>()

  constructor(readonly limit: number) {}

  /** Counts one more relay for `principal`; false (nothing counted) when at the cap. */
  open(principal: string): boolean {
    const n = this.#open.get(principal) ?? 0
    if (n >= this.limit) return false
    this.#open.set(principal, n + 1)
    return true
  }

  close(principal: string): void {
    const n = (this.#open.get(principal) ?? 0) - 1
    if (n > 0) this.#open.set(principal, n)
    else this.#open.delete(principal)
  }

  get total(): number {
    let n = 0
    for (const v of this.#open.values()) n += v
    return n
  }
}
