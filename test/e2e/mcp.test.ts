// [reach] An MCP client seen from the browser: its session is an agent in the presence panel
// with its role and what it did, and its edit by quote appears in the person's editor.

import { describe, expect, it } from 'vitest'
import { connectTestAgent } from '../helpers/agents.ts'
import { browserSuite } from '../helpers/browserSuite.ts'
import { presenceOf, waitForEditorText } from '../helpers/browser.ts'
import { connectMcpHttp } from '../helpers/mcp.ts'

const suite = browserSuite()

describe('an MCP client seen from the browser', () => {
  it('shows the MCP session as an agent with its status, and its edit in the editor', async () => {
    const owner = await connectTestAgent(suite.server, 'alice')
    suite.agents.push(owner)
    owner.createDocument('brief', 'The launch is planned for March.', 'Brief')
    await owner.flushed()
    const { page } = await suite.open('alice', '/w/w1?doc=brief')
    await waitForEditorText(page, { equals: 'The launch is planned for March.' })

    const mcp = await connectMcpHttp(suite.server, 'w1', 'agent-a')
    try {
      const edit = await mcp.call('replace_text', { doc: 'Brief', quote: 'March', replacement: 'April' })
      expect(edit.isError).toBe(false)
      await waitForEditorText(page, { equals: 'The launch is planned for April.' })
      const entry = presenceOf(page, 'agent-a')
      await entry.filter({ hasText: 'mcp: done editing Brief' }).waitFor()
      expect(await entry.getAttribute('data-kind')).toBe('agent')
      expect(await entry.textContent()).toContain('agent · mcp')
    } finally {
      await mcp.close()
    }
  })
})
