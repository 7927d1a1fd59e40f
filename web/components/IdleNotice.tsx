// Warns before the idle reaper disconnects this session; "I'm still here" (or any activity) clears it.
// With IDLE_ACTIVITY=message (limits.idleActivity) only a message counts: it says so, and has no button.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { Notice } from './Notice.tsx'
import { t } from '../i18n/index.ts'

export function IdleNotice() {
  const state = useChatState()
  const actions = useActions()
  const seconds = useCountdown(state.idleKickAt.value)
  if (state.idleKickAt.value === 0) return null
  if (state.limits.value?.idleActivity === 'message') {
    return (
      <Notice kind="warning" testid="idle-notice">
        {t('idle.warningMessage', { seconds })}
      </Notice>
    )
  }
  return (
    <Notice kind="warning" testid="idle-notice">
      {t('idle.warning', { seconds })}{' '}
      <button type="button" class="button button--small" data-testid="still-here" onClick={() => actions.stillHere()}>
        {t('idle.stillHere')}
      </button>
    </Notice>
  )
}
