// MCP resources: documents as text, the readings of each document, open conflicts and tasks,
// under polyphony://<workspace>/... . Listing reads the live state of the agent's replica.

import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import type { Agent } from '../sdk/Agent.ts'
import { assertUsable } from './context.ts'
import { conflictView, readings, taskView } from './views.ts'
import { docsMap, titlesMap } from '../../shared/documents.ts'
import type { ReadableNamespaces } from './readableNamespaces.ts'

export function registerResources(server: McpServer, agent: Agent, others: ReadableNamespaces, onClose: (fn: () => void) => void): void {
  const base = `polyphony://${agent.workspace}`
  // Clients that show resources refresh their list when a document is created, renamed or removed.
  const changed = () => server.isConnected() && server.sendResourceListChanged()
  docsMap(agent.shared).observe(changed)
  titlesMap(agent.shared).observe(changed)
  onClose(() => {
    docsMap(agent.shared).unobserve(changed)
    titlesMap(agent.shared).unobserve(changed)
  })
  const json = (uri: URL, value: unknown): ReadResourceResult => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 1) }] })
  const docId = (v: string | string[]) => agent.documentId(decodeURIComponent(Array.isArray(v) ? v[0] : v))

  server.registerResource(
    'document',
    new ResourceTemplate(`${base}/docs/{id}`, {
      list: () => ({ resources: agent.documentList().map((d) => ({ uri: `${base}/docs/${encodeURIComponent(d.id)}`, name: d.title, mimeType: 'text/plain' })) }),
    }),
    { description: 'The text of a shared document', mimeType: 'text/plain' },
    (uri, vars) => {
      assertUsable(agent)
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: agent.read(docId(vars.id)) }] }
    },
  )

  server.registerResource(
    'readings',
    new ResourceTemplate(`${base}/docs/{id}/annotations`, {
      list: () => ({
        resources: agent.documentList().map((d) => ({ uri: `${base}/docs/${encodeURIComponent(d.id)}/annotations`, name: `Readings of ${d.title}`, mimeType: 'application/json' })),
      }),
    }),
    { description: 'Annotations and proposals of every namespace you may read on a document, grouped by stretch', mimeType: 'application/json' },
    async (uri, vars) => {
      assertUsable(agent)
      return json(uri, await readings(agent, others, docId(vars.id)))
    },
  )

  server.registerResource('conflicts', `${base}/conflicts`, { description: 'Open operational conflicts', mimeType: 'application/json' }, async (uri) => {
    assertUsable(agent)
    return json(
      uri,
      (await agent.conflicts({ status: 'open' })).map((c) => conflictView(c)),
    )
  })

  server.registerResource('tasks', `${base}/tasks`, { description: 'Tasks with status and owner', mimeType: 'application/json' }, async (uri) => {
    assertUsable(agent)
    return json(uri, (await agent.tasks.list()).map(taskView))
  })
}
