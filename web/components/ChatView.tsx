// The chat: header, then room list, conversation and members side by side on wide screens and one
// pane at a time on phones; the page-wide listeners (network, activity, title) live here.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { usePageEvents } from '../use-page-events.ts'
import { ChatHeader } from './ChatHeader.tsx'
import { Composer } from './Composer.tsx'
import { LinkBanner } from './LinkBanner.tsx'
import { MemberList } from './MemberList.tsx'
import { MessageList } from './MessageList.tsx'
import { RoomHeader } from './RoomHeader.tsx'
import { RoomList } from './RoomList.tsx'
import { SessionsPanel } from './SessionsPanel.tsx'
import { TypingLine } from './TypingLine.tsx'
import { t } from '../i18n/index.ts'

export function ChatView() {
  const state = useChatState()
  const actions = useActions()
  usePageEvents(state, actions)
  const room = state.room.value
  const showSessions = useSignal(false)

  return (
    <div class={`chat chat--pane-${state.pane.value}`} data-testid="chat-view" data-link={state.link.value}
      data-room-status={room?.status.value}>
      <ChatHeader sessionsOpen={showSessions.value} onToggleSessions={() => (showSessions.value = !showSessions.value)} />
      <LinkBanner />
      {showSessions.value && <SessionsPanel onClose={() => (showSessions.value = false)} />}
      <main class="chat__body">
        <RoomList />
        <section class="conversation" aria-label={room ? t('chat.conversationIn', { room: room.name }) : t('chat.conversation')}>
          {room ? (
            <>
              <RoomHeader room={room} />
              <MessageList key={room.name} room={room} />
              <TypingLine room={room} />
            </>
          ) : (
            <p class="conversation__empty" data-testid="no-room">{t('chat.noRoom')}</p>
          )}
          <Composer />
        </section>
        {room && <MemberList room={room} />}
      </main>
    </div>
  )
}
