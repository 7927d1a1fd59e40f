// The chat: header with the room and the Leave button, banners, the messages and the composer.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { Composer } from './Composer.tsx'
import { IdleNotice } from './IdleNotice.tsx'
import { MessageList } from './MessageList.tsx'
import { Notice } from './Notice.tsx'
import { RateLimitNotice } from './RateLimitNotice.tsx'
import { SessionsPanel } from './SessionsPanel.tsx'

export function ChatView() {
  const state = useChatState()
  const actions = useActions()
  const leaving = useSignal(false)
  const showSessions = useSignal(false)

  async function leave() {
    leaving.value = true
    await actions.leave().catch(() => undefined)
  }

  return (
    <div class="chat" data-testid="chat-view">
      <header class="chat__header">
        <div class="chat__title">
          <h1 class="chat__app">Parley</h1>
          <span class="chat__room" data-testid="chat-room">#{state.room.value || 'lobby'}</span>
        </div>
        <div class="chat__me">
          <span class="chat__user" data-testid="chat-user">{state.user.value}</span>
          <button type="button" class="button" data-testid="open-sessions" aria-expanded={showSessions.value}
            onClick={() => (showSessions.value = !showSessions.value)}>
            Sessions
          </button>
          <button type="button" class="button" id="leave-chat" data-testid="leave-chat"
            onClick={leave} disabled={leaving.value}>
            Leave chat
          </button>
        </div>
      </header>
      <div class="chat__notices">
        {state.link.value === 'reconnecting' && (
          <Notice kind="info" testid="reconnecting-notice">Reconnecting…</Notice>
        )}
        <IdleNotice />
        <RateLimitNotice />
      </div>
      {showSessions.value && <SessionsPanel onClose={() => (showSessions.value = false)} />}
      <MessageList />
      <Composer />
    </div>
  )
}
