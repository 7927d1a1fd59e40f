// The one error type routes throw for 4xx (and 503 busy) answers: a status, a stable code and a message.
import type { ApiErrorCode } from '../../schemas/http.js'

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Sent as the Retry-After header (seconds) when set. */
    readonly retryAfterSec?: number
  ) {
    super(message)
  }
}
