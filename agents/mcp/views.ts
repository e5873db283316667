// Small, model-sized views of workspace state, shared by tools and resources.

import type { Agent } from '../sdk/Agent.ts'
import { parseNote } from '../../shared/annotations.ts'
import type { Task } from '../../shared/coord/index.ts'
import type { ConflictRecord } from '../../shared/conflicts/index.ts'
import { decideAccess } from '../../shared/access.ts'
import { ToolRefusal } from './context.ts'
import type { ReadableNamespaces } from './readableNamespaces.ts'

const workspaceInfo = (agent: Agent) => agent.api.workspace(agent.workspace)

/**
 * Refuses a shared-text edit the server would refuse, before it is applied locally: a socket
 * that may not write only gets a permission-denied message, so the edit would look done here.
 * Asks for the role each time (it can change during a session); the policy is shared/access.ts.
 */
export async function assertMayEditShared(agent: Agent): Promise<void> {
  const info = await workspaceInfo(agent)
  const decision = decideAccess({ principal: agent.principal.id, role: info.role, visibility: info.visibility, room: { kind: 'shared', workspace: agent.workspace } }, 'write')
  if (!decision.allow) {
    throw new ToolRefusal(
      `refused: ${decision.reason} (you are ${info.role} in ${agent.workspace}). Use propose_edit or annotate instead, or ask an owner to make you an editor.`,
      { role: info.role },
    )
  }
}

export async function workspaceOverview(agent: Agent) {
  const [info, conflicts, tasks] = await Promise.all([workspaceInfo(agent), agent.conflicts({ status: 'open' }), agent.tasks.list()])
  const count = (status: Task['status']) => tasks.filter((t) => t.status === status).length
  return {
    workspace: agent.workspace,
    title: info.title,
    visibility: info.visibility,
    me: { id: agent.principal.id, role: info.role },
    members: info.members.map((m) => ({ id: m.id, role: m.role })),
    documents: agent.documentList(),
    openConflicts: conflicts.length,
    tasks: { open: count('open'), claimed: count('claimed'), done: count('done') },
  }
}

export async function readings(agent: Agent, others: ReadableNamespaces, doc: string) {
  const id = agent.documentId(doc)
  // Notes are not part of the divergences API: they come from the namespace replicas.
  const [d] = await Promise.all([agent.divergences(id), others.refresh()])
  const notes: Array<{ owner: string; id: string; text: string }> = []
  agent.namespace.getMap('notes').forEach((v) => {
    const note = parseNote(v)
    if (note && note.doc === id) notes.push({ owner: agent.principal.id, id: note.id, text: note.text })
  })
  notes.push(...others.notes(id))
  return {
    doc: id,
    title: d.title ?? id,
    groups: d.groups.map((g) => ({
      start: g.range.start,
      end: g.range.end,
      text: g.range.text,
      agreement: g.agreement,
      annotations: g.readings.flatMap((r) =>
        r.annotations.map((a) => ({
          owner: r.principal,
          id: a.id,
          label: a.label,
          comment: a.comment,
          severity: a.severity,
          changedSince: a.changedSince,
          decision: a.decision?.action ?? null,
          replies: (a.replies ?? []).map((x) => ({ by: x.author, text: x.text })),
        })),
      ),
    })),
    orphans: d.orphans,
    proposals: (d.proposals ?? []).map((p) => ({
      owner: p.author,
      id: p.id,
      quote: p.quote,
      replacement: p.replacement,
      rationale: p.rationale,
      status: p.status,
      placement: p.placement,
    })),
    notes,
  }
}

/** A conflict as a model needs it: what, where, who wrote what. */
export function conflictView(c: ConflictRecord, titles: Record<string, string> = {}) {
  const where =
    c.location.kind === 'text'
      ? { doc: c.location.doc, title: titles[c.location.doc] ?? c.location.doc, text: c.location.text }
      : c.location.kind === 'map'
        ? { path: c.location.path.join('.') }
        : c.location.kind === 'task'
          ? { task: c.location.taskId }
          : { schema: c.location.expected }
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    where,
    parties: c.parties.map((p) => ({ principal: p.principal, value: p.value })),
    detectedAt: c.detectedAt,
    ...(c.proposals?.length ? { proposals: c.proposals.map((p) => ({ by: p.by, choice: p.choice, reasoning: p.reasoning })) } : {}),
    ...(c.resolution ? { resolution: { by: c.resolution.by, choice: c.resolution.choice, ...(c.resolution.proposedBy ? { proposedBy: c.resolution.proposedBy } : {}) } } : {}),
  }
}

export function taskView(t: Task) {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    status: t.status,
    owner: t.owner,
    dependsOn: t.dependsOn,
    leaseExpiresAt: t.leaseExpiresAt,
    result: t.result,
  }
}
