// Change the password (the current one is required); every other session is signed out.
import { useSignal } from '@preact/signals'
import { ApiRequestError } from '../api.ts'
import { changePassword } from '../sessions-api.ts'

// invalid_password and rate_limited show the server's own text: it names the rule (lib/credentials.ts) or the wait in seconds.
const MESSAGES: Partial<Record<string, string>> = {
  invalid_credentials: 'The current password is wrong.',
  network: 'Could not reach the server. Please try again.'
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
      status.value = `Password changed. ${ended} other session${ended === 1 ? '' : 's'} signed out.`
      onChanged()
    } catch (err) {
      const known = err instanceof ApiRequestError && (SERVER_TEXT.has(err.code) ? err.message : MESSAGES[err.code])
      status.value = known || 'Something went wrong. Please try again.'
    } finally {
      busy.value = false
    }
  }

  return (
    <form class="password-form" onSubmit={onSubmit} aria-labelledby="password-title">
      <h3 id="password-title" class="sessions__subtitle">Change password</h3>
      <label class="field" for="password-old">
        <span class="field__label">Current password</span>
        <input id="password-old" type="password" autocomplete="current-password" required data-testid="password-old"
          value={oldPassword.value} onInput={(e) => (oldPassword.value = e.currentTarget.value)} />
      </label>
      <label class="field" for="password-new">
        <span class="field__label">New password</span>
        <input id="password-new" type="password" autocomplete="new-password" required minLength={8} maxLength={128}
          data-testid="password-new" value={newPassword.value} onInput={(e) => (newPassword.value = e.currentTarget.value)} />
      </label>
      <button type="submit" class="button button--primary" disabled={busy.value} data-testid="password-submit">
        Change password
      </button>
      <p class="form-status" role="status" data-testid="password-status">{status.value}</p>
    </form>
  )
}
