// Calls to the HTTP API (same origin, session cookie); JSON errors become ApiRequestError.
import type { ApiError, ApiErrorCode, Credentials, User } from '../schemas/http.ts'

/** An error answer of the API, or `network` when the server could not be reached. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | 'network',
    message: string,
    /** From a Retry-After header (429), in ms; 0 when absent. */
    readonly retryAfterMs = 0
  ) {
    super(message)
    this.name = 'ApiRequestError'
  }
}

export async function request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined
    })
  } catch {
    throw new ApiRequestError(0, 'network', 'Could not reach the server.')
  }
  if (res.status === 204) return undefined as T
  const data: unknown = await res.json().catch(() => null)
  if (res.ok) return data as T
  const err = (data ?? {}) as Partial<ApiError>
  throw new ApiRequestError(
    res.status,
    (err.code as ApiErrorCode | undefined) ?? 'internal',
    err.message ?? 'Something went wrong. Please try again.',
    Number(res.headers.get('retry-after') ?? 0) * 1000 || 0
  )
}

/** The signed-in user, or null without a valid session. Throws on other failures. */
export async function getMe(): Promise<User | null> {
  try {
    return await request<User>('GET', '/api/me')
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 401) return null
    throw err
  }
}

export const register = (credentials: Credentials) =>
  request<User>('POST', '/api/register', credentials)

export const login = (credentials: Credentials) => request<User>('POST', '/api/login', credentials)

export const logout = () => request<void>('POST', '/api/logout')
