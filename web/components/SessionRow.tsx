// One session in the Sessions view: browser, address, times; "End" for every session but this one.
import type { SessionInfo } from '../../schemas/http.ts'
import { formatDateTime, t } from '../i18n/index.ts'

interface SessionRowProps {
  session: SessionInfo
  busy: boolean
  onEnd(id: string): void
}

export function SessionRow({ session, busy, onEnd }: SessionRowProps) {
  return (
    <li class="session" data-testid="session-row" data-current={session.current ? 'true' : 'false'}>
      <div class="session__what">
        <span class="session__browser">{session.browser === 'other' ? t('sessions.otherBrowser') : session.browser}</span>
        <span class="session__address">{session.address}</span>
        {session.current && <span class="session__current" data-testid="session-current">{t('sessions.current')}</span>}
      </div>
      <div class="session__when">
        {t('sessions.when', { created: formatDateTime(session.createdAt), active: formatDateTime(session.lastActive) })}
      </div>
      {!session.current && (
        <button type="button" class="button" data-testid="session-end" disabled={busy}
          onClick={() => onEnd(session.id)} aria-label={t('sessions.endLabel', { browser: session.browser, address: session.address })}>
          {t('sessions.end')}
        </button>
      )}
    </li>
  )
}
