// Calls for the Sessions view: list and end the user's sessions, change the password.
import type { Ended, PasswordChange, SessionInfo, SessionList } from '../schemas/http.ts'
import { request } from './api.ts'

export async function listSessions(): Promise<SessionInfo[]> {
  return (await request<SessionList>('GET', '/api/sessions')).sessions
}

export const endSession = (id: string) => request<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`)

export const logoutOthers = () => request<Ended>('POST', '/api/logout-all')

export const changePassword = (change: PasswordChange) => request<Ended>('POST', '/api/password', change)
