// Counts down until messages are accepted again after a rate_limited error; the refused message waits.
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { Notice } from './Notice.tsx'
import { t } from '../i18n/index.ts'

export function RateLimitNotice() {
  const state = useChatState()
  const seconds = useCountdown(state.rateLimitedUntil.value)
  if (seconds === 0) return null
  return (
    <Notice kind="warning" testid="rate-limit-notice">
      {t('rate.notice', { seconds })}
    </Notice>
  )
}
