export { PALETTE, assignedColors, nextPaletteIndex, paletteColor, colorsFor, contrast, hashString, isHexColor, safeColors, type PrincipalColors } from './colors.ts'
export { parseAwarenessUpdate, encodeAwarenessEntries, type AwarenessEntry } from './awarenessUpdate.ts'
export {
  AGENT_STATES,
  PRESENCE_LIMITS,
  readPresence,
  vouchPresence,
  type AgentState,
  type PresenceIdentity,
  type PresenceState,
  type PresenceUser,
  type Vouched,
} from './presence.ts'
