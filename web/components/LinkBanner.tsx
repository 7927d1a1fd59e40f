// The connection banner: "Reconnecting…" while offline, when the next try is due, why the server
// refuses us (if it does), and a 'Retry now' button.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { useCountdown } from '../use-countdown.ts'

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
        {offline ? 'You are offline. Reconnecting… ' : 'Reconnecting… '}
        {state.linkProblem.value && <span data-testid="link-problem">{state.linkProblem.value} </span>}
        {!offline && seconds > 0 && <span>Next try in {seconds} s. </span>}
        You can keep writing: messages are sent once you are back.
      </span>
      {!offline && (
        <button type="button" class="button button--small" data-testid="retry-now" onClick={() => actions.retryNow()}>
          Retry now
        </button>
      )}
    </div>
  )
}
