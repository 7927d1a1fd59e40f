// Who is in the current room (one entry per user, however many tabs). A large room shows the
// server's count and the names loaded so far, a page at a time (MemberPager).
import { useSignal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import { useActions } from '../actions.ts'
import type { RoomState } from '../room-state.ts'
import { useChatState } from '../state.ts'
import { Avatar } from './Avatar.tsx'
import { MemberPager } from './MemberPager.tsx'
import { formatNumber, t } from '../i18n/index.ts'

export function MemberList({ room }: { room: RoomState }) {
  const state = useChatState()
  const actions = useActions()
  const me = state.user.value
  const large = room.large.value
  const pane = useRef<HTMLElement>(null)
  /** Whether the pane is on screen: always on wide screens, behind the "n online" button on narrow ones. */
  const shown = useSignal(false)
  useEffect(() => {
    if (!pane.current || typeof IntersectionObserver === 'undefined') return
    const seen = new IntersectionObserver((entries) => (shown.value = entries.some((e) => e.isIntersecting)))
    seen.observe(pane.current)
    return () => seen.disconnect()
  }, [])
  // A large room's list holds only the pages loaded: its count is the server's.
  const count = large ? room.online.value : room.members.value.length
  const names = (
    <ul class="members">
      {room.members.value.map((name) => (
        <li key={name} class="member" data-testid="member">
          <Avatar name={name} />
          <span class="member__name">{name}</span>
          {name === me && <span class="member__you">{t('members.you')}</span>}
        </li>
      ))}
    </ul>
  )
  return (
    <section ref={pane} class="pane pane--members" id="member-list" aria-labelledby="members-title" data-testid="member-list"
      data-large={large ? 'true' : undefined}>
      <div class="pane__head">
        <h2 class="pane__title" id="members-title" tabIndex={-1}>{t('members.title', { room: room.name, count: formatNumber(count) })}</h2>
        <button type="button" class="button button--small pane__back" onClick={() => actions.showPane('chat')}>
          {t('members.back')}
        </button>
      </div>
      {large ? <MemberPager room={room} shown={shown.value}>{names}</MemberPager> : names}
    </section>
  )
}
