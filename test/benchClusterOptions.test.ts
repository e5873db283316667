// The cluster bench's command line (bench/cluster/options.ts): `npm run bench -- --only cluster`
// reaches it, sizes are bounded, bad input is refused with the usage text; the table's ratios and
// its 'not measured' line (bench/cluster/table.ts). No timing here.

import { describe, expect, it } from 'vitest'
import { CLUSTER_FULL, CLUSTER_QUICK, clusterArgv, parseClusterOptions } from '../bench/cluster/options.ts'
import { clusterTable, NOT_SHARED } from '../bench/cluster/table.ts'

describe('bench cluster options', () => {
  it('picks the cluster bench out of npm run bench arguments, and nothing else', () => {
    expect(clusterArgv(['--only', 'cluster', '--quick'])).toEqual(['--quick'])
    expect(clusterArgv(['--rooms', '10', '--only=cluster'])).toEqual(['--rooms', '10'])
    expect(clusterArgv(['--only', 'fanout,cluster'])).toBeNull()
    expect(clusterArgv(['--quick'])).toBeNull()
  })

  it('defaults to 1, 2, 3 instances and the documented sizes; --quick is smaller', () => {
    const full = parseClusterOptions([], '/out')
    const quick = parseClusterOptions(['--quick', '--reps', '2'], '/out')
    if (!full.ok || !quick.ok) throw new Error('defaults must parse')
    expect(full.options.sizes).toEqual(CLUSTER_FULL)
    expect(full.options.sizes.instances).toEqual([1, 2, 3])
    expect(full.options.sizes.manydocs.rooms).toBe(300)
    expect(quick.options.sizes).toEqual(CLUSTER_QUICK)
    expect(quick.options.reps).toBe(2)
    expect(full.options.outDir).toBe('/out')
  })

  it('refuses unbounded or malformed sizes with a message naming the flag and the usage text', () => {
    for (const [args, message] of [
      [['--rooms', '0'], '--rooms must be a whole number from 1 to 2000'],
      [['--rooms', '1e9'], '--rooms must be a whole number from 1 to 2000'],
      [['--instances', '1,9'], '--instances must be a whole number from 1 to 5'],
      [['--instances', '2,2'], '--instances must not repeat a count'],
      [['--fanout-clients', '3', '--fanout-writers', '4'], '--fanout-writers must not exceed --fanout-clients'],
      [['--reps', '50'], '--reps must be a whole number from 1 to 5'],
      [['--nope'], "Unknown option '--nope'"],
    ] as const) {
      const parsed = parseClusterOptions([...args], '/out')
      expect(parsed.ok, args.join(' ')).toBe(false)
      if (parsed.ok) continue
      expect(parsed.message).toContain(message)
      expect(parsed.message).toContain('--instances 1,2,3')
      expect(parsed.help).toBe(false)
    }
    const help = parseClusterOptions(['--help'], '/out')
    expect(help).toMatchObject({ ok: false, help: true })
  })
})

describe('bench cluster table', () => {
  it('shows each count side by side with its ratio to the first, and no ratio for counts and flags', () => {
    const table = clusterTable({ fanout: { 1: { p50Ms: 10, relayedSockets: 0 }, 2: { p50Ms: 15, relayedSockets: 15 } } }, [1, 2])
    expect(table).toContain('| scenario | metric | N=1 | N=2 | N=2 / N=1 |')
    expect(table).toContain('| fanout | delivery p50 ms | 10 | 15 | 1.50× |')
    expect(table).toContain('| fanout | relayed sockets | 0 | 15 | — |')
  })

  it('says claims were not measured when any instance count found the tasks not shared', () => {
    const table = clusterTable({ claims: { 1: { shared: 1, claimsPerS: 20 }, 2: { shared: 0 } } }, [1, 2])
    expect(table).toContain(`| claims | ${NOT_SHARED} |`)
    expect(table).not.toContain('claim+release cycles/s')
  })
})
