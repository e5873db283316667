// Pure parts of the LLM layer: failure classification, retry-after parsing, the fallback
// decision, tool definitions, deterministic ids, and tool-call validation.
import { describe, expect, test } from 'vitest'
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk'
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel'
import { classifyFailure, createMemoryWorkspaceTools, parseRetryAfter, runToolCall, shouldFallBack, toolDefinitions } from '../agents/llm/index.ts'

const headers = (init: Record<string, string>) => new Headers(init)
const apiError = (status: number, init: Record<string, string> = {}) =>
  APIError.generate(status, { type: 'error', error: { type: 'x', message: 'boom' } }, undefined, headers(init))

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-01T00:00:00Z')
  test.each([
    [{ 'retry-after': '2' }, 2_000],
    [{ 'retry-after': '0.25' }, 250],
    [{ 'retry-after-ms': '120' }, 120],
    [{ 'retry-after-ms': '120', 'retry-after': '9' }, 120], // the precise header wins
    [{ 'retry-after': 'Tue, 01 Jan 2030 00:00:03 GMT' }, 3_000],
    [{ 'retry-after': 'Mon, 31 Dec 2029 23:59:00 GMT' }, 0], // in the past
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '-1' }, undefined],
    [{ 'retry-after-ms': 'x', 'retry-after': '1' }, 1_000],
    [{}, undefined],
  ])('%j → %s', (init, expected) => {
    expect(parseRetryAfter(headers(init), now)).toBe(expected)
  })
})

describe('classifyFailure', () => {
  test.each([
    [apiError(429, { 'retry-after': '1' }), { kind: 'rate-limited', status: 429, retryAfterMs: 1_000, message: 'boom' }],
    [apiError(529), { kind: 'overloaded', status: 529 }],
    [apiError(500), { kind: 'server', status: 500 }],
    [apiError(502), { kind: 'server', status: 502 }],
    [apiError(503), { kind: 'server', status: 503 }],
    [apiError(400), { kind: 'client', status: 400 }],
    [apiError(401), { kind: 'client', status: 401 }],
    [apiError(403), { kind: 'client', status: 403 }],
    [apiError(404), { kind: 'client', status: 404 }],
    [new APIConnectionError({ message: 'Connection error.' }), { kind: 'connection' }],
    [new APIConnectionTimeoutError(), { kind: 'timeout' }],
    [new APIUserAbortError(), { kind: 'cancelled' }],
    [new TaskCancelledError('Operation timed out after 5ms'), { kind: 'timeout' }],
    [new BrokenCircuitError(), { kind: 'breaker-open' }],
    [new Error('?'), { kind: 'unknown' }],
  ])('%s', (error, expected) => {
    expect(classifyFailure(error)).toMatchObject(expected)
  })

  test('falls back on outages, not on client errors or cancellation', () => {
    expect(shouldFallBack(classifyFailure(new BrokenCircuitError()))).toBe(true)
    expect(shouldFallBack(classifyFailure(apiError(529)))).toBe(true)
    expect(shouldFallBack(classifyFailure(new TaskCancelledError()))).toBe(true)
    expect(shouldFallBack(classifyFailure(apiError(401)))).toBe(false)
    expect(shouldFallBack(classifyFailure(new APIUserAbortError()))).toBe(false)
  })
})

describe('tools', () => {
  const tools = createMemoryWorkspaceTools({ author: 'a', documents: { d: 'Hello world.' } })

  test('definitions are JSON schemas generated from the zod schemas; task tools only when supported', () => {
    const names = toolDefinitions(tools).map((t) => t.name)
    expect(names).toEqual(['list_documents', 'read_document', 'annotate', 'propose_edit', 'write_note'])
    const withTasks = toolDefinitions({
      ...tools,
      claimTask: async () => ({ claimed: true }),
      completeTask: async () => ({ completed: true }),
    })
    expect(withTasks.map((t) => t.name)).toContain('claim_task')
    const propose = withTasks.find((t) => t.name === 'propose_edit')!
    expect(propose.input_schema).toMatchObject({ type: 'object', additionalProperties: false })
    expect(propose.input_schema).not.toHaveProperty('$schema')
  })

  test('the in-memory port deduplicates writes by deterministic id, per author', async () => {
    const other = createMemoryWorkspaceTools({ author: 'b', documents: { d: 'Hello world.' } })
    const input = { doc: 'd', quote: 'Hello', comment: 'Hi' }
    const first = await tools.annotate(input)
    expect(await tools.annotate({ ...input })).toEqual({ id: first.id, created: false })
    expect((await tools.annotate({ ...input, comment: 'Hey' })).created).toBe(true)
    expect((await other.annotate(input)).id).not.toBe(first.id)
    expect(tools.writes).toHaveLength(2)
    expect(tools.attempts).toHaveLength(3)
  })

  test('task tools are rejected when the port does not offer them, and a throwing write is reported', async () => {
    const claim = await runToolCall(tools, { id: 't1', name: 'claim_task', input: { taskId: 'x' } })
    expect(claim).toMatchObject({ outcome: 'rejected', result: { is_error: true } })
    const failing = { ...tools, note: async () => Promise.reject(new Error('read-only workspace')) }
    const note = await runToolCall(failing, { id: 't2', name: 'write_note', input: { title: 't', body: 'b' } })
    expect(note).toMatchObject({ outcome: 'failed', result: { is_error: true, tool_use_id: 't2' } })
    expect(note.detail).toMatch(/read-only workspace/)
  })
})
