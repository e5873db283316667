// Adapts an attached SDK agent to the LLM runner's WorkspaceTools port: what the model's
// tools read and write goes through the same idempotent SDK calls as any agent.

import type { Agent } from '../sdk/Agent.ts'
import type { WorkspaceTools } from '../llm/index.ts'
import { TaskRefused } from '../../shared/coord/client.ts'

export function workspaceToolsFor(agent: Agent): WorkspaceTools {
  return {
    listDocuments: () => agent.documentList(),
    readDocument: (name) => agent.read(name),
    annotate: async ({ doc, quote, label, comment, severity }) =>
      agent.annotate(doc, { quote }, { comment, ...(label ? { label } : {}), ...(severity ? { severity } : {}) }),
    propose: async ({ doc, quote, replacement, rationale }) => agent.propose(doc, { quote }, replacement, rationale),
    note: async ({ title, body }) => agent.note(`${title}\n\n${body}`),
    claimTask: async ({ taskId }) => {
      try {
        await agent.tasks.claim(taskId)
        return { claimed: true }
      } catch (err) {
        if (err instanceof TaskRefused && err.status === 409) {
          const holder = typeof err.details.owner === 'string' ? err.details.owner : undefined
          return { claimed: false, ...(holder ? { holder } : {}) }
        }
        throw err
      }
    },
    readTask: async ({ taskId }) => {
      const board = agent.tasks.board()
      const task = board.find((t) => t.id === taskId)
      if (!task) throw new Error(`no task "${taskId}" on the board; tasks: ${board.map((t) => t.id).slice(0, 50).join(', ') || 'none'}`)
      const { history: _history, ...fields } = task
      const dependencyResults = Object.fromEntries(board.filter((t) => task.dependsOn.includes(t.id)).map((t) => [t.id, t.result]))
      return { ...fields, dependencyResults }
    },
    completeTask: async ({ taskId, summary }) => {
      await agent.tasks.complete(taskId, summary)
      return { completed: true }
    },
  }
}
