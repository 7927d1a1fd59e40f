// The current room's bar: its name and online count, the members button (phones) and Leave room.
import { useActions } from '../actions.ts'
import type { RoomState } from '../room-state.ts'
import { useChatState } from '../state.ts'

export function RoomHeader({ room }: { room: RoomState }) {
  const state = useChatState()
  const actions = useActions()
  const membersOpen = state.pane.value === 'members'
  return (
    <div class="room-header">
      <h2 class="room-header__name" data-testid="chat-room">#{room.name}</h2>
      <button type="button" class="button button--small room-header__members" data-testid="show-members"
        aria-expanded={membersOpen} aria-controls="member-list"
        onClick={() => actions.showPane(membersOpen ? 'chat' : 'members')}>
        {room.online.value} online
      </button>
      <button type="button" class="button button--small" data-testid="leave-room"
        onClick={() => actions.leaveRoom(room.name)}>
        Leave room
      </button>
    </div>
  )
}
