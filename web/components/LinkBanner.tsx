// The connection banner: "Reconnecting…" while offline, when the next try is due, why the server
// refuses us (if it does), and a 'Retry now' button.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'
import { t } from '../i18n/index.ts'

export function LinkBanner() {
  const state = useChatState()
  const actions = useActions()
  const link = state.link.value
  const seconds = useCountdown(link === 'reconnecting' ? state.nextRetryAt.value : 0)
  if (link === 'open' || link === 'connecting') return null
  const offline = link === 'offline'
  return (
    <div class="banner" role="status" data-testid="reconnecting-notice">
      <span class="banner__text">
        {`${t(offline ? 'link.offline' : 'link.reconnecting')} `}
        {state.linkProblem.value && <span data-testid="link-problem">{state.linkProblem.value} </span>}
        {!offline && seconds > 0 && <span>{`${t('link.nextTry', { seconds })} `}</span>}
        {t('link.keepWriting')}
      </span>
      {!offline && (
        <button type="button" class="button button--small" data-testid="retry-now" onClick={() => actions.retryNow()}>
          {t('link.retryNow')}
        </button>
      )}
    </div>
  )
}
