// Colour and contrast in the page: caret labels and highlighted text meet WCAG AA; an agent
// shows the colour its workspace gave it (not one it announces, which could copy a person's)
// and keeps it after it disconnects.

import { describe, expect, it } from 'vitest'
import type { Locator } from 'playwright-core'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { artifactPath, presenceOf, showAgentCursor, waitForEditorText } from '../helpers/browser.ts'

const suite = browserSuite()
const TEXT = 'The launch moves to May because the vendor slipped twice.'
const CUSTOM = '#0b5394'

/** Contrast of an element's text against its (possibly translucent) background over white. */
function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number)
    const [tr, tg, tb] = parse(getComputedStyle(el).color)
    const [br, bg, bb, ba = 1] = parse(getComputedStyle(el).backgroundColor)
    const over = (c: number) => c * ba + 255 * (1 - ba)
    const lum = (r: number, g: number, b: number) =>
      [r, g, b]
        .map((v) => v / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0)
    const a = lum(tr, tg, tb)
    const b = lum(over(br), over(bg), over(bb))
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
  })
}

describe('colour and contrast', () => {
  it('caret labels and highlighted text meet AA; an agent shows its workspace colour and keeps it after disconnecting', async () => {
    const agent = await connectTestAgent(suite.server, 'agent-a', { role: 'fact-checker' })
    agent.createDocument('brief', TEXT)
    const annotation = agent.annotate('brief', { quote: 'the vendor slipped twice' }, { comment: 'Which vendor?' })
    await agent.flushed()
    const presence = agent.sharedSync.provider.awareness
    presence.setLocalStateField('user', { ...(presence.getLocalState()?.user as object), color: CUSTOM, colorLight: `${CUSTOM}33` })
    showAgentCursor(agent, 'brief', 4, 10)

    const { page } = await suite.open('alice', '/w/w1?doc=brief')
    await waitForEditorText(page, { equals: TEXT })
    const label = page.locator('.cm-ySelectionInfo', { hasText: 'agent-a' })
    await label.waitFor()
    expect(await contrastOf(label)).toBeGreaterThanOrEqual(4.5)
    const mark = page.locator(`.pp-annotation[data-annotations~="${annotation.id}"]`)
    await mark.waitFor()
    expect(await contrastOf(mark)).toBeGreaterThanOrEqual(4.5)

    const note = page.locator(`.margin [data-annotation="${annotation.id}"]`)
    // The announced CUSTOM colour is not what others see: the workspace's slot for agent-a is.
    const assigned = suite.server.registry.colorOf('w1', 'agent-a') as string
    expect(assigned).not.toBe(CUSTOM)
    expect(assigned).not.toBe(suite.server.registry.colorOf('w1', 'alice'))
    const rgb = `rgb(${[1, 3, 5].map((i) => parseInt(assigned.slice(i, i + 2), 16)).join(', ')})`
    await page.waitForFunction(([id, want]) => getComputedStyle(document.querySelector(`.margin [data-annotation="${id}"]`)!).borderLeftColor === want, [
      annotation.id,
      rgb,
    ] as const)
    expect(await label.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(rgb)
    await page.screenshot({ path: artifactPath('colors-agent-present.png') })

    agent.close()
    await presenceOf(page, 'agent-a').waitFor({ state: 'detached' })
    expect(await note.evaluate((el) => getComputedStyle(el).borderLeftColor)).toBe(rgb)
    expect(await mark.evaluate((el) => getComputedStyle(el).boxShadow)).toContain(rgb)
    await page.screenshot({ path: artifactPath('colors-agent-gone.png') })
  })
})
