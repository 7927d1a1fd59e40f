// Who is in the current room right now (one entry per user, however many tabs).
import { useActions } from '../actions.ts'
import type { RoomState } from '../room-state.ts'
import { useChatState } from '../state.ts'
import { Avatar } from './Avatar.tsx'
import { t } from '../i18n/index.ts'

export function MemberList({ room }: { room: RoomState }) {
  const state = useChatState()
  const actions = useActions()
  const me = state.user.value
  return (
    <section class="pane pane--members" id="member-list" aria-labelledby="members-title" data-testid="member-list">
      <div class="pane__head">
        <h2 class="pane__title" id="members-title">{t('members.title', { room: room.name, count: room.members.value.length })}</h2>
        <button type="button" class="button button--small pane__back" onClick={() => actions.showPane('chat')}>
          {t('members.back')}
        </button>
      </div>
      <ul class="members">
        {room.members.value.map((name) => (
          <li key={name} class="member" data-testid="member">
            <Avatar name={name} />
            <span class="member__name">{name}</span>
            {name === me && <span class="member__you">{t('members.you')}</span>}
          </li>
        ))}
      </ul>
    </section>
  )
}
