// Page-wide listeners of the chat view: network on/off, tab visibility, activity (keys, pointer,
// scrolling, focus) and the unread count in the tab title. Each effect returns its cleanup.
import { useEffect } from 'preact/hooks'
import type { Actions } from './actions.ts'
import type { ChatState } from './state.ts'

const ACTIVITY_EVENTS = ['keydown', 'pointermove', 'pointerdown', 'wheel', 'scroll', 'focusin', 'touchstart'] as const
const TITLE = 'Parley'

export function usePageEvents(state: ChatState, actions: Actions) {
  useEffect(() => {
    const offline = () => actions.setOffline(true)
    const online = () => actions.setOffline(false)
    const visibility = () => actions.setPageVisible(document.visibilityState === 'visible')
    const activity = () => actions.reportActivity()
    window.addEventListener('offline', offline)
    window.addEventListener('online', online)
    document.addEventListener('visibilitychange', visibility)
    // Capture: scroll does not bubble, and inner lists scroll on their own.
    for (const type of ACTIVITY_EVENTS) document.addEventListener(type, activity, { capture: true, passive: true })
    if (!navigator.onLine) offline()
    visibility()
    return () => {
      window.removeEventListener('offline', offline)
      window.removeEventListener('online', online)
      document.removeEventListener('visibilitychange', visibility)
      for (const type of ACTIVITY_EVENTS) document.removeEventListener(type, activity, { capture: true })
    }
  }, [actions])

  const unread = state.titleUnread.value
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${TITLE}` : TITLE
    return () => {
      document.title = TITLE
    }
  }, [unread])
}
