// Warns before the idle reaper disconnects this session; sending a message clears it.
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { Notice } from './Notice.tsx'

export function IdleNotice() {
  const state = useChatState()
  const seconds = useCountdown(state.idleKickAt.value)
  if (state.idleKickAt.value === 0) return null
  return (
    <Notice kind="warning" testid="idle-notice">
      You have been idle. You will be disconnected in {seconds} s unless you send a message.
    </Notice>
  )
}
