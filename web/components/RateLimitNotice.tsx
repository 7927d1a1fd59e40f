// Counts down until messages are accepted again after a rate_limited error; the refused message waits.
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { Notice } from './Notice.tsx'

export function RateLimitNotice() {
  const state = useChatState()
  const seconds = useCountdown(state.rateLimitedUntil.value)
  if (seconds === 0) return null
  return (
    <Notice kind="warning" testid="rate-limit-notice">
      You are sending messages too fast. Try again in {seconds} s; your message goes out then.
    </Notice>
  )
}
