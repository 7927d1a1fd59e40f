// Log out (ends the session in every tab); with a draft in any room or unsent messages it asks first.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { t } from '../i18n/index.ts'
import { useChatState } from '../state.ts'
import { ConfirmBar } from './ConfirmBar.tsx'

export function LogoutButton() {
  const state = useChatState()
  const actions = useActions()
  const asking = useSignal(false)
  const busy = useSignal(false)
  const unsaved = state.unsavedText.value

  async function logout() {
    if (unsaved && !asking.value) {
      asking.value = true
      return
    }
    busy.value = true
    await actions.logout().catch(() => undefined)
  }

  if (asking.value) {
    return <ConfirmBar name="logout" question={t('logout.question')} yes={t('logout.button')} busy={busy.value}
      onYes={logout} onNo={() => (asking.value = false)} />
  }
  return (
    <button type="button" class="button" id="leave-chat" data-testid="leave-chat" onClick={logout} disabled={busy.value}>
      {t('logout.button')}
    </button>
  )
}
