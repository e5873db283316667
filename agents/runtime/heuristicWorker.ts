// The worker without a model: completes a task by writing a note that records it, and says
// plainly in the note and the result that no model did the work. Enough for simple tasks and
// for showing a worker in the demo without a key.

import type { Agent } from '../sdk/Agent.ts'
import type { DoTask } from './taskWorker.ts'

export const HEURISTIC_WORKER = 'heuristic worker (no model)'

export function heuristicTaskDoer(agent: Agent): DoTask {
  return async (task) => {
    const built = Object.keys(task.dependencyResults)
    const text = [
      `Task "${task.title}" (${task.id}), done by the ${HEURISTIC_WORKER}.`,
      task.description || task.title,
      ...(built.length ? [`Builds on: ${built.join(', ')}.`] : []),
    ].join('\n\n')
    const note = agent.note(text)
    return { by: HEURISTIC_WORKER, note: note.id, summary: `recorded "${task.title}" in a note` }
  }
}
