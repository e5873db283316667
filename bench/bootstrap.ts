// The principals and workspaces every benchmark server starts with. One principal per
// client: Polyphony caps open rooms per principal (256), and the benchmark runs it with
// its default limits, as users do.

import { writeFileSync } from 'node:fs'

export const FANOUT_WORKSPACE = 'bench'

export const principalId = (i: number): string => `c${i}`
export const tokenOf = (i: number): string => `bench_${principalId(i)}_token_0123456789abcdef_0123`
/** Room of manydocs client i: a workspace of its own. */
export const manyRoom = (i: number): string => `m${i}/shared`

export function benchBootstrap(principals: number, rooms: number) {
  const all = Array.from({ length: principals }, (_, i) => i)
  return {
    principals: all.map((i) => ({ id: principalId(i), kind: 'agent', name: principalId(i), token: tokenOf(i) })),
    workspaces: [
      { id: FANOUT_WORKSPACE, title: 'Benchmark', visibility: 'team', members: Object.fromEntries(all.map((i) => [principalId(i), 'editor'])) },
      ...Array.from({ length: rooms }, (_, i) => ({
        id: `m${i}`,
        title: `Room ${i}`,
        visibility: 'team',
        members: { [principalId(i % principals)]: 'editor' },
      })),
    ],
  }
}

export function writeBootstrap(file: string, principals: number, rooms: number): string {
  writeFileSync(file, JSON.stringify(benchBootstrap(principals, rooms)))
  return file
}

/** Socket URL of `room` for client `i` (the reference ignores the token; its room is the path). */
export function roomUrl(syncBase: string, room: string, i: number): string {
  return `${syncBase}${room}?token=${tokenOf(i)}`
}
