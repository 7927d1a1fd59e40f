// The rooms this user is in, with online and unread counts; then joining or creating one, and the
// other rooms on the server.
import { useActions } from '../actions.ts'
import { useChatState } from '../state.ts'
import { AlertSettings } from './AlertSettings.tsx'
import { RoomDirectory } from './RoomDirectory.tsx'
import { RoomForm } from './RoomForm.tsx'
import { formatNumber, t } from '../i18n/index.ts'

export function RoomList() {
  const state = useChatState()
  const actions = useActions()
  const current = state.currentRoom.value
  return (
    <nav class="pane pane--rooms" id="room-list" aria-label={t('rooms.label')} data-testid="room-list">
      <h2 class="pane__title">{t('rooms.yours')}</h2>
      <ul class="rooms">
        {state.rooms.value.map((r) => {
          const unread = r.unread.value
          return (
            <li key={r.name}>
              <button type="button" class={r.name === current ? 'room room--current' : 'room'}
                aria-current={r.name === current ? 'true' : undefined}
                data-testid="room-entry" data-room={r.name} onClick={() => actions.switchRoom(r.name)}>
                <span class="room__name">#{r.name}</span>
                <span class="room__online">
                  <span class="visually-hidden">, </span>
                  <span data-testid="room-online">{formatNumber(r.online.value)}</span>
                  <span class="visually-hidden">{` ${t('rooms.online')}`}</span>
                </span>
                {unread > 0 && (
                  <span class={r.mentions.value > 0 ? 'badge badge--mention' : 'badge'}>
                    <span class="visually-hidden">, </span>
                    <span data-testid="room-unread">{unread}</span>
                    <span class="visually-hidden">{` ${t('rooms.unread')}${r.mentions.value > 0 ? `, ${t('rooms.mentionsYou')}` : ''}`}</span>
                  </span>
                )}
              </button>
            </li>
          )
        })}
      </ul>
      <RoomForm />
      <RoomDirectory />
      <AlertSettings />
    </nav>
  )
}
