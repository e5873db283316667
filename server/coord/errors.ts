// Errors of the task store that are not lease outcomes (those are results, see TaskStore).

export type CoordErrorCode = 'not_found' | 'exists' | 'invalid'

export class CoordError extends Error {
  override readonly name = 'CoordError'
  constructor(
    readonly code: CoordErrorCode,
    message: string,
  ) {
    super(message)
  }
}
