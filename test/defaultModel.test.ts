// [reach] The agents' default model is a current one: not on the deprecation list that the
// installed @anthropic-ai/sdk itself warns about. The list is read from the SDK's own file
// (it is not in the package's exports), never copied here.

import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MODEL } from '../agents/llm/defaultModel.ts'
import { parseAgentOptions } from '../app/cli/agentOptions.ts'

const require = createRequire(import.meta.url)

function sdkDeprecatedModels(): Record<string, string> {
  // The CommonJS entry sits at the package root; the data file is beside it under internal/.
  const root = dirname(require.resolve('@anthropic-ai/sdk'))
  const file = join(root, 'internal', 'data', 'deprecated-models.js')
  return (require(file) as { DEPRECATED_MODELS: Record<string, string> }).DEPRECATED_MODELS
}

describe('default model', () => {
  it('the SDK deprecation list is found and not empty (else the check below proves nothing)', () => {
    expect(Object.keys(sdkDeprecatedModels()).length).toBeGreaterThan(0)
  })

  it('is not deprecated by the installed SDK', () => {
    expect(Object.keys(sdkDeprecatedModels())).not.toContain(DEFAULT_MODEL)
  })

  it('is what `polyphony agent` uses without --model', () => {
    const parsed = parseAgentOptions(['--workspace', 'w', '--token', 't'], { ANTHROPIC_API_KEY: 'k' })
    expect(parsed.ok && parsed.options.model).toBe(DEFAULT_MODEL)
  })
})
