// Presence in awareness, in the convention people and agents share: `user` (who, and the colour
// of their cursor), `status` (what an agent is doing), `doc` (where), `cursor` (y-codemirror.next).
//
// Awareness states are written by clients, so two rules apply. The server vouches for
// identity: a state that names a `user` is relayed with the principal, kind and name of the
// connection's registry entry, whatever the client wrote, and a colour only if it is `#rrggbb`.
// Browsers trust nothing anyway: every peer state is reduced to the fields below, each checked,
// before the editor or a panel sees it (peer values end up in `style` attributes and labels).

import type { PrincipalKind } from '../model.ts'
import { PRINCIPAL_KINDS } from '../model.ts'
import { assignedColors, safeColors } from './colors.ts'

export const AGENT_STATES = ['idle', 'reading', 'thinking', 'writing', 'error', 'paused'] as const
export type AgentState = (typeof AGENT_STATES)[number]

export interface PresenceUser {
  principal: string
  kind: PrincipalKind
  name: string
  /** `#rrggbb`. */
  color: string
  /** `color` plus an alpha byte, for selections. */
  colorLight: string
  /** A label the client chose (an agent's lens, a person's role): not vouched for. */
  role?: string
}

export interface PresenceState {
  user?: PresenceUser
  status?: { state: AgentState; detail?: string }
  doc?: string
  cursor?: { anchor: object; head: object }
}

/** Who a connection is, from the registry. */
export interface PresenceIdentity {
  principal: string
  kind: PrincipalKind
  name: string
  /** The colour the workspace assigned this member (registry); it wins over what the client announces. */
  color?: string
}

export const PRESENCE_LIMITS = {
  /** One awareness state, as JSON (cursors, status and a name fit many times over). */
  stateChars: 8192,
  label: 80,
  detail: 200,
} as const

export type Vouched = { ok: true; state: Record<string, unknown> } | { ok: false; reason: string }

/** Server side: the state to relay for a connection of `who` (non-null states only), or why not. */
export function vouchPresence(state: unknown, who: PresenceIdentity): Vouched {
  if (!isRecord(state)) return { ok: false, reason: 'an awareness state must be a JSON object (or null to leave)' }
  if (JSON.stringify(state).length > PRESENCE_LIMITS.stateChars) {
    return { ok: false, reason: `awareness state over ${PRESENCE_LIMITS.stateChars} characters: send cursor, status and user only` }
  }
  if (!('user' in state)) return { ok: true, state }
  const claimed = isRecord(state.user) ? state.user : {}
  const user: PresenceUser = {
    principal: who.principal,
    kind: who.kind,
    name: who.name,
    ...(who.color !== undefined ? assignedColors(who.color, who.principal) : safeColors(claimed.color, who.principal)),
    ...label('role', claimed.role),
  }
  return { ok: true, state: { ...state, user } }
}

/**
 * Browser side: the parts of a peer's state that may be shown, each checked; null stays null
 * (the peer left). Never throws.
 */
export function readPresence(state: unknown): PresenceState | null {
  if (state === null) return null
  if (!isRecord(state)) return {}
  const out: PresenceState = {}
  const user = readUser(state.user)
  if (user) out.user = user
  const status = state.status
  if (isRecord(status) && (AGENT_STATES as readonly unknown[]).includes(status.state)) {
    out.status = { state: status.state as AgentState, ...(typeof status.detail === 'string' ? { detail: status.detail.slice(0, PRESENCE_LIMITS.detail) } : {}) }
  }
  if (typeof state.doc === 'string') out.doc = state.doc.slice(0, PRESENCE_LIMITS.detail)
  const cursor = state.cursor
  if (isRecord(cursor) && isRecord(cursor.anchor) && isRecord(cursor.head)) out.cursor = { anchor: cursor.anchor, head: cursor.head }
  return out
}

function readUser(value: unknown): PresenceUser | null {
  if (!isRecord(value) || typeof value.principal !== 'string' || value.principal === '') return null
  const principal = value.principal.slice(0, PRESENCE_LIMITS.label)
  const kind = (PRINCIPAL_KINDS as readonly unknown[]).includes(value.kind) ? (value.kind as PrincipalKind) : 'agent'
  const name = typeof value.name === 'string' && value.name.trim() !== '' ? value.name.slice(0, PRESENCE_LIMITS.label) : principal
  return { principal, kind, name, ...safeColors(value.color, principal), ...label('role', value.role) }
}

function label<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value.slice(0, PRESENCE_LIMITS.label) } as Record<K, string>) : {}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
