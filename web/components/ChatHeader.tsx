// The top bar: app name, the rooms button (phones), who is signed in, Sessions and Log out.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { LogoutButton } from './LogoutButton.tsx'
import { t } from '../i18n/index.ts'

export function ChatHeader({ sessionsOpen, onToggleSessions }: { sessionsOpen: boolean; onToggleSessions(): void }) {
  const state = useChatState()
  const actions = useActions()
  const unread = state.totalUnread.value
  const roomsOpen = state.pane.value === 'rooms'
  return (
    <header class="chat__header">
      <div class="chat__title">
        <button type="button" class="button button--icon chat__rooms-toggle" data-testid="show-rooms"
          aria-expanded={roomsOpen} aria-controls="room-list"
          onClick={() => actions.showPane(roomsOpen ? 'chat' : 'rooms')}>
          {t('header.rooms')}
          {unread > 0 && (
            <span class="badge">
              <span class="visually-hidden">, </span>
              {unread}
              <span class="visually-hidden">{` ${t('rooms.unread')}`}</span>
            </span>
          )}
        </button>
        <h1 class="chat__app">
          <img class="brand-mark brand-mark--small" src="/favicon.svg" alt="" width={24} height={24} />
          Parley
        </h1>
      </div>
      <div class="chat__me">
        <span class="chat__user" data-testid="chat-user">{state.user.value}</span>
        <button type="button" class="button" data-testid="open-sessions" aria-expanded={sessionsOpen} onClick={onToggleSessions}>
          {t('header.sessions')}
        </button>
        <LogoutButton />
      </div>
    </header>
  )
}
