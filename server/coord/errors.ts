// Errors of the task store that are not lease outcomes (those are results, see TaskStore).

import { DomainError, type ErrorKind } from '../errors.ts'

export type CoordErrorCode = 'not_found' | 'exists' | 'invalid'

const KIND: Record<CoordErrorCode, ErrorKind> = { not_found: 'not_found', exists: 'conflict', invalid: 'invalid' }

export class CoordError extends DomainError {
  declare readonly code: CoordErrorCode
  constructor(code: CoordErrorCode, message: string) {
    super(KIND[code], code, message)
  }
}
