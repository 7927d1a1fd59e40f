// Change the password (the current one is required); every other session is signed out.
import { useSignal } from '@preact/signals'
import { ApiRequestError } from '../api.ts'
import { changePassword } from '../sessions-api.ts'
import { t, tn, type MessageKey } from '../i18n/index.ts'

// invalid_password and rate_limited show the server's own text: it names the rule (lib/accounts/credentials.ts) or the wait in seconds.
const MESSAGES: Partial<Record<string, MessageKey>> = {
  invalid_credentials: 'password.wrongCurrent',
  network: 'form.network'
}
const SERVER_TEXT = new Set(['invalid_password', 'rate_limited'])

export function PasswordForm({ onChanged }: { onChanged(): void }) {
  const oldPassword = useSignal('')
  const newPassword = useSignal('')
  const status = useSignal('')
  const busy = useSignal(false)

  async function onSubmit(event: SubmitEvent) {
    event.preventDefault()
    if (busy.value) return
    busy.value = true
    status.value = ''
    try {
      const { ended } = await changePassword({ oldPassword: oldPassword.value, newPassword: newPassword.value })
      oldPassword.value = ''
      newPassword.value = ''
      status.value = tn('password.changed', ended)
      onChanged()
    } catch (err) {
      const key = err instanceof ApiRequestError ? MESSAGES[err.code] : undefined
      const known = err instanceof ApiRequestError && (SERVER_TEXT.has(err.code) ? err.message : key && t(key))
      status.value = known || t('form.unknown')
    } finally {
      busy.value = false
    }
  }

  return (
    <form class="password-form" onSubmit={onSubmit} aria-labelledby="password-title">
      <h3 id="password-title" class="sessions__subtitle">{t('password.title')}</h3>
      <label class="field" for="password-old">
        <span class="field__label">{t('password.current')}</span>
        <input id="password-old" type="password" autocomplete="current-password" required data-testid="password-old"
          value={oldPassword.value} onInput={(e) => (oldPassword.value = e.currentTarget.value)} />
      </label>
      <label class="field" for="password-new">
        <span class="field__label">{t('password.new')}</span>
        <input id="password-new" type="password" autocomplete="new-password" required minLength={8} maxLength={128}
          data-testid="password-new" value={newPassword.value} onInput={(e) => (newPassword.value = e.currentTarget.value)} />
      </label>
      <button type="submit" class="button button--primary" disabled={busy.value} data-testid="password-submit">
        {t('password.submit')}
      </button>
      <p class="form-status" role="status" data-testid="password-status">{status.value}</p>
    </form>
  )
}
