// [coord]+[review] Team metrics carry the share of stretches with one reading vs several.

import { expect, it } from 'vitest'
import { token } from './helpers/server.ts'
import { useHarness } from './helpers/harness.ts'
import { httpJson } from './helpers/http.ts'
import { waitFor } from './helpers/wait.ts'

const t = useHarness()

it('counts stretches read by one principal and by several', async () => {
  const server = await t.start()
  const [a, b] = await Promise.all([t.agent('agent-a', { workspace: 'team' }), t.agent('agent-b', { workspace: 'team' })])
  a.createDocument('draft', 'Studies show that agents are always faster. The design took months.')
  await a.flushed()
  await waitFor(() => b.documents().includes('draft'), 'b sees the draft')
  a.annotate('draft', { quote: 'Studies show' }, { label: 'unsupported', comment: 'Which?' })
  b.annotate('draft', { quote: 'show that agents' }, { label: 'unsupported', comment: 'Source?' })
  b.annotate('draft', { quote: 'took months' }, { label: 'vague', comment: 'How many?' })
  await Promise.all([a.flushed(), b.flushed()])
  const res = await httpJson<{ readings: { documents: Record<string, unknown>; stretches: number; severalReadings: number; severalShare: number } }>(
    `${server.url}/api/workspaces/team/metrics`,
    { token: token('alice') },
  )
  expect(res.status).toBe(200)
  expect(res.json.readings).toEqual({
    documents: { draft: { stretches: 2, singleReading: 1, severalReadings: 1, fullAgreement: 1, partialAgreement: 0, difference: 0 } },
    stretches: 2,
    severalReadings: 1,
    severalShare: 0.5,
    skipped: 0,
  })
})
