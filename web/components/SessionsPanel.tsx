// The Sessions view: the user's live sessions (this one marked), end one or all others, change the password.
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import type { SessionInfo } from '../../schemas/http.ts'
import { endSession, listSessions, logoutOthers } from '../sessions-api.ts'
import { PasswordForm } from './PasswordForm.tsx'
import { SessionRow } from './SessionRow.tsx'
import { t } from '../i18n/index.ts'

export function SessionsPanel({ onClose }: { onClose(): void }) {
  const sessions = useSignal<SessionInfo[] | null>(null)
  const error = useSignal('')
  const busy = useSignal(false)

  async function run(action: () => Promise<unknown>) {
    busy.value = true
    error.value = ''
    try {
      await action()
      sessions.value = await listSessions()
    } catch {
      error.value = t('sessions.error')
    } finally {
      busy.value = false
    }
  }

  useEffect(() => {
    void run(async () => undefined)
  }, [])

  const others = (sessions.value ?? []).filter((s) => !s.current).length
  return (
    <section class="sessions card" data-testid="sessions-panel" aria-labelledby="sessions-title">
      <div class="sessions__head">
        <h2 id="sessions-title" class="sessions__title">{t('sessions.title')}</h2>
        <button type="button" class="button button--link" onClick={onClose} data-testid="sessions-close">{t('sessions.close')}</button>
      </div>
      {error.value && <p class="form-error" role="alert">{error.value}</p>}
      <ul class="sessions__list" aria-busy={sessions.value === null}>
        {(sessions.value ?? []).map((s) => (
          <SessionRow key={s.id} session={s} busy={busy.value} onEnd={(id) => run(() => endSession(id))} />
        ))}
      </ul>
      <button type="button" class="button" data-testid="sessions-logout-others" disabled={busy.value || others === 0}
        onClick={() => run(logoutOthers)}>
        {t('sessions.logoutOthers')}
      </button>
      <PasswordForm onChanged={() => void run(async () => undefined)} />
    </section>
  )
}
