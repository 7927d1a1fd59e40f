// A large room's member pane: the count, the names loaded so far (children) and a button for the
// next page. The first page is asked for as soon as the pane is on screen, once per list.
import type { ComponentChildren } from 'preact'
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import { useActions } from '../actions.ts'
import type { RoomState } from '../room-state.ts'
import { formatNumber, t, tn } from '../i18n/index.ts'

export function MemberPager({ room, shown, children }: { room: RoomState; shown: boolean; children: ComponentChildren }) {
  const actions = useActions()
  const button = useRef<HTMLButtonElement>(null)
  /** The button had the focus when the last page was asked for. */
  const focused = useRef(false)
  const online = room.online.value
  const loaded = room.members.value.length
  const loading = room.membersLoading.value
  const more = room.membersMore.value
  const ready = room.status.value === 'joined'
  const asked = room.membersAsked.value

  useEffect(() => {
    if (shown && ready && !asked) actions.loadMembers(room.name)
  }, [shown, ready, asked, room.name])
  // The button goes with the last page; its focus moves to the pane's title, not to the page's top,
  // in the same commit that removes the button (a layout effect), so focus never rests on <body>.
  useLayoutEffect(() => {
    if (more || !focused.current) return
    focused.current = false
    document.getElementById('members-title')?.focus()
  }, [more])

  function next() {
    focused.current = document.activeElement === button.current
    actions.loadMembers(room.name)
  }

  return (
    <>
      {/* Not a live region: the count changes every few seconds in a busy room. */}
      <p class="pane__note" data-testid="member-count">{tn('members.large', online, { count: formatNumber(online) })}</p>
      {children}
      {/* Announces only what the reader asked for: a page loading, then how many names show. */}
      <p class="pane__note" role="status" data-testid="member-status">
        {loading ? t('members.loading') : loaded > 0 ? tn('members.shown', loaded, { count: formatNumber(loaded) }) : ''}
      </p>
      {more && (
        <button ref={button} type="button" class="button button--small" data-testid="more-members"
          aria-disabled={loading ? 'true' : undefined} onClick={next}>
          {t(loaded === 0 ? 'members.load' : 'members.more')}
        </button>
      )}
    </>
  )
}
