// Review: interpretive differences grouped by stretch (conflicts live in shared/conflicts).
export { groupDivergences, agreementOf, type Divergences, type DivergenceGroup, type Reading, type PlacedAnnotation, type Agreement, type Orphan } from './divergences.ts'
