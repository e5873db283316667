// Review on the server: divergences for a viewer and the actions on them. Start at ReviewActions.ts.
export { ReviewActions, type ReviewActionsDeps } from './ReviewActions.ts'
export { ReviewError } from './errors.ts'
export { divergencesFor } from './divergencesFor.ts'
export { reviewedDivergencesFor, proposalViewFor } from './reviewedDivergencesFor.ts'
export { readableNamespaces } from './readableNamespaces.ts'
