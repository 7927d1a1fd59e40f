// Warns before the idle reaper disconnects this session; "I'm still here" (or any activity) clears it.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { Notice } from './Notice.tsx'

export function IdleNotice() {
  const state = useChatState()
  const actions = useActions()
  const seconds = useCountdown(state.idleKickAt.value)
  if (state.idleKickAt.value === 0) return null
  return (
    <Notice kind="warning" testid="idle-notice">
      You have been idle. You will be disconnected in {seconds} s.{' '}
      <button type="button" class="button button--small" data-testid="still-here" onClick={() => actions.stillHere()}>
        I'm still here
      </button>
    </Notice>
  )
}
