// Notices where the eyes are, just above the composer and over the list's end (it does not move):
// the rate limit, an over-long or refused text, the idle warning.
import { useChatState } from '../state.ts'
import { IdleNotice } from './IdleNotice.tsx'
import { RateLimitNotice } from './RateLimitNotice.tsx'
import { t } from '../i18n/index.ts'

export function ComposerNotices() {
  const state = useChatState()
  const error = state.composerError.value
  const text = error?.message ?? (state.overLimit.value ? t('composer.tooLong', { max: state.maxChars.value }) : '')
  return (
    <div class="composer__notices">
      <IdleNotice />
      <RateLimitNotice />
      <p class="composer__error" id="composer-error" role="alert" data-testid="composer-error">{text}</p>
    </div>
  )
}
