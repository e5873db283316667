// Seeded randomness for chaos scenarios: every run prints its seed; CHAOS_SEED replays one.

export type Rng = () => number

/** mulberry32: a small, fast, well-distributed 32-bit generator. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed for one scenario (from CHAOS_SEED, else fresh), printed so a failure can be replayed. */
export function scenarioRng(scenario: string, env: Record<string, string | undefined> = process.env): { seed: number; rng: Rng } {
  const seed = env.CHAOS_SEED ? Number(env.CHAOS_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32)
  console.log(`[chaos] ${scenario}: seed=${seed} (replay with CHAOS_SEED=${seed})`)
  return { seed, rng: mulberry32(seed) }
}

/** Integer in [min, max]. */
export function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1))
}

/** A per-chunk delay for TcpProxy.setDelay: uniform in [minMs, maxMs]. */
export function jitter(rng: Rng, minMs: number, maxMs: number): () => number {
  return () => between(rng, minMs, maxMs)
}
