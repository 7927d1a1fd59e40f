// The current room's bar: its name and online count, the members button (phones) and Leave room,
// which asks first when the room has a draft or messages still waiting to be sent.
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import { formatNumber, t } from '../i18n/index.ts'
import type { RoomState } from '../room-state.ts'
import { useChatState } from '../state.ts'
import { ConfirmBar } from './ConfirmBar.tsx'

export function RoomHeader({ room }: { room: RoomState }) {
  const state = useChatState()
  const actions = useActions()
  const membersOpen = state.pane.value === 'members'
  /** The room whose leaving waits for an answer (another room shown meanwhile: no question). */
  const asking = useSignal<string | null>(null)

  function leave() {
    if (asking.value !== room.name && state.unsavedIn(room.name)) {
      asking.value = room.name
      return
    }
    asking.value = null
    actions.leaveRoom(room.name)
  }

  return (
    <div class="room-header">
      <h2 class="room-header__name" data-testid="chat-room">#{room.name}</h2>
      <button type="button" class="button button--small room-header__members" data-testid="show-members"
        aria-expanded={membersOpen} aria-controls="member-list"
        onClick={() => actions.showPane(membersOpen ? 'chat' : 'members')}>
        {t('room.online', { count: formatNumber(room.online.value) })}
      </button>
      {asking.value === room.name ? (
        <ConfirmBar name="leave" question={t('room.leaveQuestion', { room: room.name })} yes={t('room.leave')}
          onYes={leave} onNo={() => (asking.value = null)} />
      ) : (
        <button type="button" class="button button--small" data-testid="leave-room" onClick={leave}>
          {t('room.leave')}
        </button>
      )}
    </div>
  )
}
