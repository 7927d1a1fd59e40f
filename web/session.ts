// The session as the page sees it: whether it is still live (asked when the socket closes), and
// what the login view tells the user when it ended (the close code, the messages left unsent).
import { CLOSE } from '../lib/chat/protocol/protocol.ts'
import * as api from './api.ts'
import type { SessionCheck } from './link.ts'
import { t, type MessageKey } from './i18n/index.ts'

/** Why the login view is shown after a close code (0: the session check found no session). */
export const CLOSE_NOTICES: Partial<Record<number, MessageKey>> = {
  0: 'notice.sessionEnded',
  [CLOSE.idle.code]: 'notice.idle',
  [CLOSE.logout.code]: 'notice.loggedOut',
  [CLOSE.sessionExpired.code]: 'notice.expired'
}

export async function checkSession(): Promise<SessionCheck> {
  try {
    return (await api.getMe()) ? { kind: 'ok' } : { kind: 'ended' }
  } catch (err) {
    if (!(err instanceof api.ApiRequestError) || err.status === 0 || err.status >= 500) return { kind: 'unreachable' }
    if (err.status === 429) {
      const wait = err.retryAfterMs || 30_000
      return { kind: 'refused', message: t('link.busy', { seconds: Math.ceil(wait / 1000) }), retryAfterMs: wait }
    }
    return { kind: 'refused', message: t('link.refusedStatus', { status: err.status, message: err.message }), retryAfterMs: 60_000 }
  }
}

/** "Not sent: “hi”, “see you”" for messages that could not go out before the session ended. */
export function unsentNote(texts: string[]): string {
  if (texts.length === 0) return ''
  const list = texts
    .slice(0, 3)
    .map((text) => t('notice.quoted', { text: text.length > 40 ? text.slice(0, 39) + '…' : text }))
    .join(', ')
  return ' ' + t('notice.unsent', { list: texts.length > 3 ? t('notice.unsentMore', { list, count: texts.length - 3 }) : list })
}
