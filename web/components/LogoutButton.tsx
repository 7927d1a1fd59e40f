// Log out (ends the session in every tab); with a draft in any room or unsent messages it asks first.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'

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
    return (
      <div class="confirm" role="alertdialog" aria-labelledby="logout-question" data-testid="logout-confirm">
        <span id="logout-question">Discard your unsent text and log out?</span>
        <button type="button" class="button button--danger" data-testid="logout-confirm-yes" onClick={logout}
          disabled={busy.value}>
          Log out
        </button>
        <button type="button" class="button" data-testid="logout-confirm-no" onClick={() => (asking.value = false)}>
          Stay
        </button>
      </div>
    )
  }
  return (
    <button type="button" class="button" id="leave-chat" data-testid="leave-chat" onClick={logout} disabled={busy.value}>
      Log out
    </button>
  )
}
